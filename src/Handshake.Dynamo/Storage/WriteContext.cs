using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// What a <see cref="WriteCommand"/> sees on the writer thread: the open transaction's prepared item statements, the
/// catalog, and per-table counter deltas (ItemCount, TableSizeBytes) that are persisted once per group commit.
/// </summary>
internal sealed class WriteContext : IDisposable
{
    private readonly SqliteCommand _select, _upsert, _delete, _counters;
    private readonly SqliteParameter _sTable, _sHash, _sRange;
    private readonly SqliteParameter _uTable, _uHash, _uRange, _uSize, _uItem;
    private readonly SqliteParameter _dTable, _dHash, _dRange;
    private readonly SqliteParameter _cId, _cItems, _cBytes;
    private readonly IndexWriter _indexes;

    // Deltas of the command being applied, merged into the batch only if it succeeds.
    private readonly Dictionary<TableDefinition, (long Items, long Bytes)> _commandDeltas = [];
    private readonly Dictionary<TableDefinition, (long Items, long Bytes)> _batchDeltas = [];

    public WriteContext(SqliteConnection connection, TableCatalog catalog, DynamoStoreOptions options)
    {
        Connection = connection;
        Catalog = catalog;
        Options = options;
        _select = Prepare("SELECT size, item FROM items WHERE table_id = $t AND hash_key = $h AND range_key = $r", out _sTable, out _sHash, out _sRange);
        _delete = Prepare("DELETE FROM items WHERE table_id = $t AND hash_key = $h AND range_key = $r", out _dTable, out _dHash, out _dRange);
        _upsert = Prepare("INSERT OR REPLACE INTO items(table_id, hash_key, range_key, size, item) VALUES ($t, $h, $r, $s, $i)",
            out _uTable, out _uHash, out _uRange);
        _uSize = _upsert.Parameters.Add("$s", SqliteType.Integer);
        _uItem = _upsert.Parameters.Add("$i", SqliteType.Blob);
        _upsert.Prepare();
        _counters = connection.CreateCommand();
        _counters.CommandText = "UPDATE tables SET item_count = item_count + $n, size_bytes = size_bytes + $b WHERE id = $id";
        _cId = _counters.Parameters.Add("$id", SqliteType.Integer);
        _cItems = _counters.Parameters.Add("$n", SqliteType.Integer);
        _cBytes = _counters.Parameters.Add("$b", SqliteType.Integer);
        _counters.Prepare();
        _indexes = new IndexWriter(connection);
    }

    public SqliteConnection Connection { get; }
    public TableCatalog Catalog { get; }
    public DynamoStoreOptions Options { get; }
    public SqliteTransaction? Transaction { get; set; }

    /// <summary>Secondary index maintenance; used directly only by the GSI backfill.</summary>
    public IndexWriter Indexes => _indexes;

    /// <summary>The index write capacity of the command being applied so far (null: none), for ReturnConsumedCapacity.</summary>
    public List<IndexWriteUnits>? TakeIndexUnits() => _indexes.TakeUnits();

    private SqliteCommand Prepare(string sql, out SqliteParameter table, out SqliteParameter hash, out SqliteParameter range)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        table = command.Parameters.Add("$t", SqliteType.Integer);
        hash = command.Parameters.Add("$h", SqliteType.Blob);
        range = command.Parameters.Add("$r", SqliteType.Blob);
        if (!sql.StartsWith("INSERT", StringComparison.Ordinal)) command.Prepare();
        return command;
    }

    /// <summary>Reads the current item; <paramref name="item"/> is loaded only when asked for.</summary>
    public bool TryReadItem(TableDefinition table, PrimaryKey key, bool wantItem, out int size, out byte[]? item)
    {
        _select.Transaction = Transaction;
        _sTable.Value = table.InternalId;
        _sHash.Value = key.Hash;
        _sRange.Value = key.Range;
        using var reader = _select.ExecuteReader(System.Data.CommandBehavior.SingleRow);
        if (!reader.Read())
        {
            size = 0;
            item = null;
            return false;
        }
        size = reader.GetInt32(0);
        item = wantItem ? (byte[])reader.GetValue(1) : null;
        return true;
    }

    /// <summary>Writes an item, given whether it replaced one and that one's size (for the table's counters).</summary>
    /// <remarks>
    /// An item that a secondary index refuses (wrong type or empty index key) throws here before anything is
    /// written, so every writer gets AWS's index checks. A table with indexes writes more than one row: commands
    /// that may touch one should run in a savepoint (<see cref="WriteCommand.NeedsSavepoint"/>).
    /// </remarks>
    public void Upsert(TableDefinition table, PrimaryKey key, int size, byte[] item, bool existed, int oldSize)
    {
        var parsed = IndexWriter.Prepare(table, item);
        _upsert.Transaction = Transaction;
        _uTable.Value = table.InternalId;
        _uHash.Value = key.Hash;
        _uRange.Value = key.Range;
        _uSize.Value = size;
        _uItem.Value = item;
        _upsert.ExecuteNonQuery();
        Account(table, existed ? 0 : 1, size - oldSize);
        if (parsed is not null) _indexes.Write(Transaction, table, key, parsed, item, size);
    }

    public void Delete(TableDefinition table, PrimaryKey key, int oldSize)
    {
        _delete.Transaction = Transaction;
        _dTable.Value = table.InternalId;
        _dHash.Value = key.Hash;
        _dRange.Value = key.Range;
        if (_delete.ExecuteNonQuery() == 0) return;
        Account(table, -1, -oldSize);
        if (table.Indexes.Count > 0) _indexes.Write(Transaction, table, key, null, null, 0);
    }

    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        return command;
    }

    private void Account(TableDefinition table, long items, long bytes)
    {
        _commandDeltas.TryGetValue(table, out var d);
        _commandDeltas[table] = (d.Items + items, d.Bytes + bytes);
    }

    internal void CommandSucceeded()
    {
        foreach (var (table, delta) in _commandDeltas)
        {
            _batchDeltas.TryGetValue(table, out var d);
            _batchDeltas[table] = (d.Items + delta.Items, d.Bytes + delta.Bytes);
        }
        _commandDeltas.Clear();
        _indexes.CommandSucceeded();
    }

    internal void CommandFailed()
    {
        _commandDeltas.Clear();
        _indexes.CommandFailed();
    }

    /// <summary>Persists the batch's counter deltas in the open transaction (one UPDATE per touched table).</summary>
    internal void PersistCounters()
    {
        _counters.Transaction = Transaction;
        foreach (var (table, delta) in _batchDeltas)
        {
            if (table.IsDeleted || (delta.Items == 0 && delta.Bytes == 0)) continue;
            _cId.Value = table.InternalId;
            _cItems.Value = delta.Items;
            _cBytes.Value = delta.Bytes;
            _counters.ExecuteNonQuery();
        }
        _indexes.PersistCounters(Transaction);
    }

    /// <summary>After the commit: the in-memory counters follow the durable ones.</summary>
    internal void PublishCounters()
    {
        foreach (var (table, delta) in _batchDeltas) table.Counters.Add(delta.Items, delta.Bytes);
        _batchDeltas.Clear();
        _indexes.PublishCounters();
    }

    internal void DiscardCounters()
    {
        _batchDeltas.Clear();
        _commandDeltas.Clear();
        _indexes.DiscardCounters();
    }

    public void Dispose()
    {
        _select.Dispose();
        _upsert.Dispose();
        _delete.Dispose();
        _counters.Dispose();
        _indexes.Dispose();
    }
}
