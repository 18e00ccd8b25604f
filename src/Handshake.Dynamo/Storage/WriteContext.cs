using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// What a <see cref="WriteCommand"/> sees on the writer thread: the open transaction's prepared item statements, the
/// catalog, and per-table counter deltas (ItemCount, TableSizeBytes) that are persisted once per group commit.
/// </summary>
/// <remarks>
/// The transaction is opened and committed with prepared statements (<see cref="Begin"/>, <see cref="Commit"/>), not
/// a SqliteTransaction, so SqliteCommands that run inside it (indexes, table metadata) leave their Transaction unset.
/// </remarks>
internal sealed class WriteContext : IDisposable
{
    /// <summary>
    /// Set when a command failed with something other than a DynamoException (a SQLite error mid-command): its rows
    /// are rolled back, but what it had already changed in memory (a table's stream, indexes or metadata) may not be,
    /// so the writer reloads the catalog from the database after the commit.
    /// </summary>
    public bool CatalogStale { get; set; }

    // Parameters bind by position: ?1 table id, ?2 hash key, ?3 range key, then the statement's own.
    private readonly SqliteStatement _begin, _commit, _rollback, _savepoint, _release, _rollbackTo;
    private readonly SqliteStatement _select, _upsert, _update, _delete, _counters;
    private readonly IndexWriter _indexes;

    // Deltas of the command being applied, merged into the batch only if it succeeds.
    private readonly Dictionary<TableDefinition, (long Items, long Bytes)> _commandDeltas = [];
    private readonly Dictionary<TableDefinition, (long Items, long Bytes)> _batchDeltas = [];

    public WriteContext(SqliteConnection connection, TableCatalog catalog, StreamCatalog streams, DynamoStoreOptions options)
    {
        Connection = connection;
        Catalog = catalog;
        Streams = streams;
        Options = options;
        StreamRecords = new StreamRecordWriter(connection, options.Region);
        // IMMEDIATE: the writer takes the write lock at BEGIN rather than upgrading at its first write.
        _begin = new SqliteStatement(connection, "BEGIN IMMEDIATE");
        _commit = new SqliteStatement(connection, "COMMIT");
        _rollback = new SqliteStatement(connection, "ROLLBACK");
        _savepoint = new SqliteStatement(connection, "SAVEPOINT command");
        _release = new SqliteStatement(connection, "RELEASE command");
        _rollbackTo = new SqliteStatement(connection, "ROLLBACK TO command");
        _select = new SqliteStatement(connection, "SELECT size, item FROM items WHERE table_id = ?1 AND hash_key = ?2 AND range_key = ?3");
        _delete = new SqliteStatement(connection, "DELETE FROM items WHERE table_id = ?1 AND hash_key = ?2 AND range_key = ?3");
        _upsert = new SqliteStatement(connection, "INSERT OR REPLACE INTO items(table_id, hash_key, range_key, size, item) VALUES (?1, ?2, ?3, ?4, ?5)");
        _update = new SqliteStatement(connection, "UPDATE items SET size = ?4, item = ?5 WHERE table_id = ?1 AND hash_key = ?2 AND range_key = ?3");
        _counters = new SqliteStatement(connection, "UPDATE tables SET item_count = item_count + ?2, size_bytes = size_bytes + ?3 WHERE id = ?1");
        _indexes = new IndexWriter(connection);
    }

    public SqliteConnection Connection { get; }
    public TableCatalog Catalog { get; }
    public StreamCatalog Streams { get; }
    public DynamoStoreOptions Options { get; }

    /// <summary>Appends the stream records of tables with an enabled stream, in this transaction.</summary>
    public StreamRecordWriter StreamRecords { get; }

    /// <summary>Opens the group commit's transaction.</summary>
    public void Begin() => _begin.Execute();

    /// <summary>Commits the open transaction; when that fails, the transaction is rolled back and the error thrown.</summary>
    public void Commit() => _commit.Execute();

    /// <summary>Rolls back whatever is still open after a failure (SQLite may already have rolled back by itself).</summary>
    public void Rollback()
    {
        if (SqliteStatement.InTransaction(Connection)) _rollback.Execute();
    }

    /// <summary>Starts a savepoint for a command that writes more than one row.</summary>
    public void Savepoint() => _savepoint.Execute();

    public void ReleaseSavepoint() => _release.Execute();

    /// <summary>Undoes the command's writes since <see cref="Savepoint"/> and ends the savepoint.</summary>
    public void RollbackSavepoint()
    {
        _rollbackTo.Execute();
        _release.Execute();
    }

    /// <summary>Secondary index maintenance; used directly only by the GSI backfill.</summary>
    public IndexWriter Indexes => _indexes;

    /// <summary>The index write capacity of the command being applied so far (null: none), for ReturnConsumedCapacity.</summary>
    public List<IndexWriteUnits>? TakeIndexUnits() => _indexes.TakeUnits();

    /// <summary>Reads the current item; <paramref name="item"/> is loaded only when asked for.</summary>
    public bool TryReadItem(TableDefinition table, PrimaryKey key, bool wantItem, out int size, out byte[]? item)
    {
        BindKey(_select, table, key);
        if (!_select.Step())
        {
            size = 0;
            item = null;
            return false;
        }
        try
        {
            size = _select.ColumnInt32(0);
            item = wantItem ? _select.ColumnBlob(1).ToArray() : null;
        }
        finally
        {
            _select.Reset();
        }
        return true;
    }

    private static void BindKey(SqliteStatement statement, TableDefinition table, PrimaryKey key)
    {
        statement.Bind(1, table.InternalId);
        statement.Bind(2, key.Hash);
        statement.Bind(3, key.Range);
    }

    /// <summary>Writes an item, given whether it replaced one and that one's size (for the table's counters).</summary>
    /// <remarks>
    /// An item that a secondary index refuses (wrong type or empty index key) throws here before anything is
    /// written, so every writer gets AWS's index checks. A table with indexes writes more than one row: commands
    /// that may touch one should run in a savepoint (<see cref="WriteCommand.NeedsSavepoint"/>).
    /// </remarks>
    /// <remarks>
    /// A table with an enabled stream also gets the change's stream record here (a put leaving the item as it was
    /// gets none); <paramref name="oldItem"/> saves reading the old item again when the caller has it. The write and
    /// the record are two rows, so such a table's commands run in a savepoint.
    /// </remarks>
    public void Upsert(TableDefinition table, PrimaryKey key, int size, byte[] item, bool existed, int oldSize, byte[]? oldItem = null)
    {
        if (table.Stream is not null && existed && oldItem is null) TryReadItem(table, key, wantItem: true, out _, out oldItem);
        var parsed = IndexWriter.Prepare(table, item);
        // An item that exists is updated in place rather than replaced: INSERT OR REPLACE deletes the old row and
        // inserts the new one, which always dirties its page, while an UPDATE of a row whose stored bytes do not change
        // (a client putting the same item again: retries, idempotent syncs) leaves the page clean, so the commit
        // appends no WAL frame for it. (Measured with changing items the two cost the same.)
        if (!existed || !Write(_update, table, key, size, item)) Write(_upsert, table, key, size, item);
        Account(table, existed ? 0 : 1, size - oldSize);
        if (parsed is not null) _indexes.Write(table, key, parsed, item, size);
        if (table.Stream is { } streamed) StreamRecords.Append(streamed, existed ? oldItem : null, item, byTimeToLive: false, Options.Clock.GetUtcNow());
    }

    private static bool Write(SqliteStatement statement, TableDefinition table, PrimaryKey key, int size, byte[] item)
    {
        BindKey(statement, table, key);
        statement.Bind(4, size);
        statement.Bind(5, item);
        return statement.Execute() > 0;
    }

    /// <summary>
    /// Deletes an item; on a table with an enabled stream, appends its REMOVE record (<paramref name="byTimeToLive"/>:
    /// the TTL sweeper's, which names the service as its identity).
    /// </summary>
    public void Delete(TableDefinition table, PrimaryKey key, int oldSize, byte[]? oldItem = null, bool byTimeToLive = false)
    {
        if (table.Stream is not null && oldItem is null) TryReadItem(table, key, wantItem: true, out _, out oldItem);
        BindKey(_delete, table, key);
        if (_delete.Execute() == 0) return;
        Account(table, -1, -oldSize);
        if (table.Indexes.Count > 0) _indexes.Write(table, key, null, null, 0);
        if (table.Stream is { } stream) StreamRecords.Append(stream, oldItem, null, byTimeToLive, Options.Clock.GetUtcNow());
    }

    /// <summary>
    /// The bytes of one item collection as this transaction sees it: the table's items with partition key
    /// <paramref name="hash"/> plus their rows in the table's local indexes (what AWS's ItemCollectionMetrics
    /// estimates). Asked for only with ReturnItemCollectionMetrics=SIZE, so a command built per call is fine.
    /// </summary>
    public long ItemCollectionBytes(TableDefinition table, byte[] hash)
    {
        var sql = new System.Text.StringBuilder("SELECT (SELECT COALESCE(SUM(size), 0) FROM items WHERE table_id = $t AND hash_key = $h)");
        using var command = Connection.CreateCommand();
        int n = 0;
        foreach (var index in table.Indexes)
        {
            if (index.IsGlobal) continue;
            // A local index shares the table's partition key, so its rows of the collection have the same hash_key.
            sql.Append(" + (SELECT COALESCE(SUM(size), 0) FROM index_items WHERE index_id = $i").Append(n).Append(" AND hash_key = $h)");
            command.Parameters.AddWithValue("$i" + n, index.InternalId);
            n++;
        }
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$t", table.InternalId);
        command.Parameters.AddWithValue("$h", hash);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
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
        foreach (var (table, delta) in _batchDeltas)
        {
            if (table.IsDeleted || (delta.Items == 0 && delta.Bytes == 0)) continue;
            _counters.Bind(1, table.InternalId);
            _counters.Bind(2, delta.Items);
            _counters.Bind(3, delta.Bytes);
            _counters.Execute();
        }
        _indexes.PersistCounters();
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
        foreach (var statement in (ReadOnlySpan<SqliteStatement>)[_begin, _commit, _rollback, _savepoint, _release, _rollbackTo, _select, _upsert, _update, _delete, _counters])
            statement.Dispose();
        _indexes.Dispose();
        StreamRecords.Dispose();
    }
}
