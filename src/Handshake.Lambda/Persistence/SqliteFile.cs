using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Persistence;

/// <summary>
/// How the host opens its own SQLite files (lambda.db, logs.db): one unpooled connection (its owner is the only
/// user), WAL with synchronous=NORMAL (a commit survives kill -9, not a power cut), and at most a second's wait for a
/// file another process holds, then the file's schema.
/// </summary>
internal static class SqliteFile
{
    /// <exception cref="SqliteException">The file cannot be opened or created, or the schema not made; nothing is left open.</exception>
    public static SqliteConnection Open(string filePath, string schema)
    {
        SqliteConnection connection = new(new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=1000;\n" + schema;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
