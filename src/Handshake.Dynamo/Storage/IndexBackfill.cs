using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Builds a global secondary index added by UpdateTable from the items already in the table. The index is
/// maintained by every write from the moment it is added (status CREATING), so the backfill only has to visit the
/// items that existed then. It does so in chunks, each chunk one command of the group commit, so writers keep
/// flowing while a large table is indexed; the last chunk switches the index to ACTIVE.
/// </summary>
internal static class IndexBackfill
{
    private const int ChunkItems = 1000;

    /// <summary>Runs the backfill to completion; the store tracks the task so tests can await it.</summary>
    public static async Task RunAsync(DynamoStore store, TableDefinition table, SecondaryIndexDefinition index)
    {
        var chunk = new ChunkCommand(table, index);
        while (true)
        {
            await store.WriteAsync(chunk).ConfigureAwait(false);
            if (chunk.Done) return;
            chunk = chunk.Next();
        }
    }

    private sealed class ChunkCommand(TableDefinition table, SecondaryIndexDefinition index, byte[]? afterHash = null, byte[]? afterRange = null)
        : WriteCommand
    {
        private readonly byte[]? _startHash = afterHash, _startRange = afterRange;
        private byte[]? _lastHash = afterHash, _lastRange = afterRange;

        public bool Done { get; private set; }

        public override bool NeedsSavepoint => true;

        public ChunkCommand Next() => new(table, index, _lastHash, _lastRange);

        public override void Apply(WriteContext context)
        {
            // A table deleted, or an index deleted, while building: nothing left to do.
            if (table.IsDeleted || !ReferenceEquals(table.FindIndex(index.IndexName), index))
            {
                Done = true;
                return;
            }
            using var select = context.CreateCommand(_startHash is null
                ? "SELECT hash_key, range_key, size, item FROM items WHERE table_id = $t ORDER BY hash_key, range_key LIMIT $n"
                : "SELECT hash_key, range_key, size, item FROM items WHERE table_id = $t AND (hash_key, range_key) > ($h, $r) ORDER BY hash_key, range_key LIMIT $n");
            select.Parameters.AddWithValue("$t", table.InternalId);
            select.Parameters.AddWithValue("$n", ChunkItems);
            if (_startHash is not null)
            {
                select.Parameters.AddWithValue("$h", _startHash);
                select.Parameters.AddWithValue("$r", _startRange!);
            }
            var rows = new List<(PrimaryKey Key, int Size, byte[] Item)>();
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                    rows.Add((new PrimaryKey((byte[])reader.GetValue(0), (byte[])reader.GetValue(1)), reader.GetInt32(2), (byte[])reader.GetValue(3)));
            }
            foreach (var (key, size, item) in rows)
            {
                var parsed = StoredItem.Parse(item);
                // An item written before the index existed may hold a wrong-typed index key: like DynamoDB, the
                // backfill leaves it out of the index rather than failing (it is reported as a violation there).
                if (!SecondaryIndexKey.TryEncode(index, parsed, out _, out _)) continue;
                if (IsEmptyKey(index, parsed)) continue;
                context.Indexes.Write(table, index, key, parsed, item, size, countUnits: false);
            }
            if (rows.Count > 0)
            {
                _lastHash = rows[^1].Key.Hash;
                _lastRange = rows[^1].Key.Range;
            }
            if (rows.Count < ChunkItems)
            {
                index.IndexStatus = "ACTIVE";
                index.Backfilling = false;
                TableMetadata.Persist(context, table);
                Done = true;
            }
        }

        private static bool IsEmptyKey(SecondaryIndexDefinition index, Dictionary<string, AttributeValue> item)
        {
            static bool Empty(AttributeValue v) => (v.Type == AttributeType.S && v.S.Length == 0) || (v.Type == AttributeType.B && v.B.Length == 0);
            return Empty(item[index.Hash.Name]) || (index.Range is not null && Empty(item[index.Range.Name]));
        }
    }
}

/// <summary>Persists a table's definition document in the writer's transaction.</summary>
internal static class TableMetadata
{
    public static void Persist(WriteContext context, TableDefinition table)
    {
        using var update = context.CreateCommand("UPDATE tables SET definition = $d WHERE id = $id");
        update.Parameters.AddWithValue("$d", System.Text.Encoding.UTF8.GetString(TableDefinitionJson.Serialize(table)));
        update.Parameters.AddWithValue("$id", table.InternalId);
        update.ExecuteNonQuery();
    }
}
