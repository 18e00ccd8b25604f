using Handshake.Dynamo.Model;
using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Protocol;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The capacity one request spent on one secondary index (ReturnConsumedCapacity INDEXES): writes that maintain it,
/// or a Query/Scan that read it.
/// </summary>
internal readonly record struct IndexWriteUnits(TableDefinition Table, SecondaryIndexDefinition Index, double Units);

/// <summary>
/// Keeps the index_items rows of a table's secondary indexes in step with its items, on the writer thread inside
/// the command's transaction. Every item write goes through <see cref="WriteContext"/>, so every writer (PutItem,
/// UpdateItem, batches, transactions, the TTL sweeper) maintains indexes without knowing about them.
/// An index row is found by the table key (a second SQLite index), so the old item need not be read first; the
/// DELETE ... RETURNING gives the old row's size for the counters and the index's write capacity.
/// </summary>
internal sealed class IndexWriter : IDisposable
{
    private readonly SqliteCommand _remove, _insert, _counters;
    private readonly SqliteParameter _rIndex, _rTableHash, _rTableRange;
    private readonly SqliteParameter _iIndex, _iHash, _iRange, _iTableHash, _iTableRange, _iSize, _iItem;
    private readonly SqliteParameter _cId, _cItems, _cBytes;

    private readonly Dictionary<SecondaryIndexDefinition, (long Items, long Bytes)> _commandDeltas = [];
    private readonly Dictionary<SecondaryIndexDefinition, (long Items, long Bytes)> _batchDeltas = [];
    private readonly List<IndexWriteUnits> _units = [];

    public IndexWriter(SqliteConnection connection)
    {
        _remove = connection.CreateCommand();
        _remove.CommandText = "DELETE FROM index_items WHERE index_id = $i AND table_hash = $th AND table_range = $tr RETURNING hash_key, range_key, size";
        _rIndex = _remove.Parameters.Add("$i", SqliteType.Integer);
        _rTableHash = _remove.Parameters.Add("$th", SqliteType.Blob);
        _rTableRange = _remove.Parameters.Add("$tr", SqliteType.Blob);
        _insert = connection.CreateCommand();
        _insert.CommandText = "INSERT OR REPLACE INTO index_items(index_id, hash_key, range_key, table_hash, table_range, size, item) VALUES ($i, $h, $r, $th, $tr, $s, $item)";
        _iIndex = _insert.Parameters.Add("$i", SqliteType.Integer);
        _iHash = _insert.Parameters.Add("$h", SqliteType.Blob);
        _iRange = _insert.Parameters.Add("$r", SqliteType.Blob);
        _iTableHash = _insert.Parameters.Add("$th", SqliteType.Blob);
        _iTableRange = _insert.Parameters.Add("$tr", SqliteType.Blob);
        _iSize = _insert.Parameters.Add("$s", SqliteType.Integer);
        _iItem = _insert.Parameters.Add("$item", SqliteType.Blob);
        _counters = connection.CreateCommand();
        _counters.CommandText = "UPDATE secondary_indexes SET item_count = item_count + $n, size_bytes = size_bytes + $b WHERE id = $id";
        _cId = _counters.Parameters.Add("$id", SqliteType.Integer);
        _cItems = _counters.Parameters.Add("$n", SqliteType.Integer);
        _cBytes = _counters.Parameters.Add("$b", SqliteType.Integer);
    }

    /// <summary>
    /// Parses and checks an item about to be written (type and emptiness of its index keys) before anything is
    /// written, so a refused item leaves no trace. Null for a table without indexes.
    /// </summary>
    public static Dictionary<string, AttributeValue>? Prepare(TableDefinition table, byte[] item)
    {
        if (table.Indexes.Count == 0) return null;
        var parsed = StoredItem.Parse(item);
        SecondaryIndexKey.Validate(table, parsed);
        return parsed;
    }

    /// <summary>Replaces the index rows of one item (null <paramref name="item"/>: the item was deleted).</summary>
    public void Write(TableDefinition table, PrimaryKey key,
        Dictionary<string, AttributeValue>? item, byte[]? itemBytes, int itemSize)
    {
        foreach (var index in table.Indexes) Write(table, index, key, item, itemBytes, itemSize, countUnits: true);
    }

    /// <summary>Writes one item's row of one index; the GSI backfill calls this directly.</summary>
    public void Write(TableDefinition table, SecondaryIndexDefinition index, PrimaryKey key,
        Dictionary<string, AttributeValue>? item, byte[]? itemBytes, int itemSize, bool countUnits)
    {
        _rIndex.Value = index.InternalId;
        _rTableHash.Value = key.Hash;
        _rTableRange.Value = key.Range;
        bool hadOld = false;
        byte[]? oldHash = null, oldRange = null;
        int oldSize = 0;
        using (var reader = _remove.ExecuteReader())
        {
            if (reader.Read())
            {
                hadOld = true;
                oldHash = (byte[])reader.GetValue(0);
                oldRange = (byte[])reader.GetValue(1);
                oldSize = reader.GetInt32(2);
            }
        }
        bool hasNew = false;
        int newSize = 0;
        byte[] hash = [], range = [];
        if (item is not null && SecondaryIndexKey.TryEncode(index, item, out hash, out range))
        {
            hasNew = true;
            byte[] projected;
            if (index.ProjectionType == "ALL")
            {
                projected = itemBytes!;
                newSize = itemSize;
            }
            else
            {
                var projection = Project(table, index, item);
                projected = StoredItem.Serialize(projection);
                newSize = ItemSize.Of(projection);
            }
            _iIndex.Value = index.InternalId;
            _iHash.Value = hash;
            _iRange.Value = range;
            _iTableHash.Value = key.Hash;
            _iTableRange.Value = key.Range;
            _iSize.Value = newSize;
            _iItem.Value = projected;
            _insert.ExecuteNonQuery();
        }
        if (!hadOld && !hasNew) return;
        _commandDeltas.TryGetValue(index, out var d);
        _commandDeltas[index] = (d.Items + (hasNew ? 1 : 0) - (hadOld ? 1 : 0), d.Bytes + newSize - oldSize);
        if (!countUnits) return;
        // An index write costs like a table write of the projected item; moving an item to a new index key is a
        // delete plus a put (developer guide, "Provisioned throughput considerations for GSIs").
        double units;
        if (hadOld && hasNew && !(hash.AsSpan().SequenceEqual(oldHash) && range.AsSpan().SequenceEqual(oldRange)))
            units = ConsumedCapacity.WriteUnits(oldSize, 0) + ConsumedCapacity.WriteUnits(newSize, 0);
        else units = ConsumedCapacity.WriteUnits(oldSize, newSize);
        _units.Add(new IndexWriteUnits(table, index, units));
    }

    /// <summary>The index keys and table keys always; INCLUDE adds the named attributes the item has.</summary>
    public static Dictionary<string, AttributeValue> Project(TableDefinition table, SecondaryIndexDefinition index, Dictionary<string, AttributeValue> item)
    {
        var projected = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        Copy(item, projected, table.Hash.Name);
        if (table.Range is not null) Copy(item, projected, table.Range.Name);
        Copy(item, projected, index.Hash.Name);
        if (index.Range is not null) Copy(item, projected, index.Range.Name);
        if (index.NonKeyAttributes is { } names) foreach (var name in names) Copy(item, projected, name);
        return projected;
    }

    private static void Copy(Dictionary<string, AttributeValue> from, Dictionary<string, AttributeValue> to, string name)
    {
        if (from.TryGetValue(name, out var value)) to[name] = value;
    }

    /// <summary>The index write units of the command being applied, taken (and cleared) by the command.</summary>
    public List<IndexWriteUnits>? TakeUnits()
    {
        if (_units.Count == 0) return null;
        var units = new List<IndexWriteUnits>(_units);
        _units.Clear();
        return units;
    }

    internal void CommandSucceeded()
    {
        foreach (var (index, delta) in _commandDeltas)
        {
            _batchDeltas.TryGetValue(index, out var d);
            _batchDeltas[index] = (d.Items + delta.Items, d.Bytes + delta.Bytes);
        }
        _commandDeltas.Clear();
        _units.Clear();
    }

    internal void CommandFailed()
    {
        _commandDeltas.Clear();
        _units.Clear();
    }

    internal void PersistCounters()
    {
        foreach (var (index, delta) in _batchDeltas)
        {
            if (delta.Items == 0 && delta.Bytes == 0) continue;
            _cId.Value = index.InternalId;
            _cItems.Value = delta.Items;
            _cBytes.Value = delta.Bytes;
            _counters.ExecuteNonQuery();
        }
    }

    internal void PublishCounters()
    {
        foreach (var (index, delta) in _batchDeltas) index.Counters.Add(delta.Items, delta.Bytes);
        _batchDeltas.Clear();
    }

    internal void DiscardCounters()
    {
        _batchDeltas.Clear();
        _commandDeltas.Clear();
        _units.Clear();
    }

    public void Dispose()
    {
        _remove.Dispose();
        _insert.Dispose();
        _counters.Dispose();
    }
}
