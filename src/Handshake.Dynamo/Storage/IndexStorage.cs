using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The SQLite side of secondary indexes. Each index has a row in secondary_indexes (its id and durable counters)
/// and one index_items row per indexed item, keyed (index, index hash, index range, table hash, table range): a
/// Query on an index is an index seek, and items with equal index keys are ordered by their table key, which is
/// how a LastEvaluatedKey holding both resumes exactly. The projected item is stored in the row, so an index read
/// never touches the table.
/// </summary>
internal static class IndexStorage
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS secondary_indexes(
            id INTEGER PRIMARY KEY,
            table_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            item_count INTEGER NOT NULL DEFAULT 0,
            size_bytes INTEGER NOT NULL DEFAULT 0,
            UNIQUE(table_id, name));
        CREATE TABLE IF NOT EXISTS index_items(
            index_id INTEGER NOT NULL,
            hash_key BLOB NOT NULL,
            range_key BLOB NOT NULL,
            table_hash BLOB NOT NULL,
            table_range BLOB NOT NULL,
            size INTEGER NOT NULL,
            item BLOB NOT NULL,
            PRIMARY KEY(index_id, hash_key, range_key, table_hash, table_range)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS index_items_by_table_key ON index_items(index_id, table_hash, table_range);
        """;

    /// <summary>Creates the index's row and assigns its id (in the writer's transaction).</summary>
    public static void Create(WriteContext context, TableDefinition table, SecondaryIndexDefinition index)
    {
        using var insert = context.CreateCommand("INSERT INTO secondary_indexes(table_id, name) VALUES ($t, $n) RETURNING id");
        insert.Parameters.AddWithValue("$t", table.InternalId);
        insert.Parameters.AddWithValue("$n", index.IndexName);
        index.InternalId = Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Drops an index's rows and its counters.</summary>
    public static void Drop(WriteContext context, SecondaryIndexDefinition index)
    {
        using var delete = context.CreateCommand("DELETE FROM index_items WHERE index_id = $i; DELETE FROM secondary_indexes WHERE id = $i;");
        delete.Parameters.AddWithValue("$i", index.InternalId);
        delete.ExecuteNonQuery();
    }

    public static void DropAll(WriteContext context, TableDefinition table)
    {
        foreach (var index in table.Indexes) Drop(context, index);
    }

    /// <summary>
    /// At open: attaches ids and counters to the indexes of a loaded table. An index without a row (a database
    /// written before indexes were maintained) gets one, and is rebuilt by a backfill like a new GSI.
    /// </summary>
    public static void Attach(SqliteConnection connection, TableDefinition table)
    {
        foreach (var index in table.Indexes)
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT id, item_count, size_bytes FROM secondary_indexes WHERE table_id = $t AND name = $n";
            select.Parameters.AddWithValue("$t", table.InternalId);
            select.Parameters.AddWithValue("$n", index.IndexName);
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                index.InternalId = reader.GetInt64(0);
                index.Counters.Set(reader.GetInt64(1), reader.GetInt64(2));
                continue;
            }
            reader.Close();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO secondary_indexes(table_id, name) VALUES ($t, $n) RETURNING id";
            insert.Parameters.AddWithValue("$t", table.InternalId);
            insert.Parameters.AddWithValue("$n", index.IndexName);
            index.InternalId = Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            index.IndexStatus = "CREATING";
            index.Backfilling = true;
        }
    }
}
