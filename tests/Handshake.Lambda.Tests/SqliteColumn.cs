using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>The first column of a query's rows, read from a database file opened read-only (the tests' look into logs.db).</summary>
internal static class SqliteColumn
{
    public static List<T> Read<T>(string file, string sql)
    {
        using SqliteConnection connection = new($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        List<T> values = [];
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
