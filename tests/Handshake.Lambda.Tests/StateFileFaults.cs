using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>Makes a host's lambda.db (or logs.db) refuse writes from another connection, as a full disk would, to test what a failed save answers.</summary>
internal static class StateFileFaults
{
    /// <summary>
    /// Later inserts, updates and deletes of <paramref name="table"/>'s rows (lambda.db's documents unless told) that match
    /// <paramref name="when"/> (SQL on NEW or OLD; "1" for all) fail with a SQLite error. <paramref name="deletes"/>:
    /// deletes fail too (their condition is on OLD, so only "1" fits).
    /// </summary>
    public static void RefuseWrites(string file, string when = "1", bool deletes = true, string table = "documents")
    {
        using SqliteConnection connection = new($"Data Source={file};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER refuse_insert BEFORE INSERT ON {table} WHEN {when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            CREATE TRIGGER refuse_update BEFORE UPDATE ON {table} WHEN {when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """ + (deletes ? $"CREATE TRIGGER refuse_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;" : "");
        command.ExecuteNonQuery();
    }
}
