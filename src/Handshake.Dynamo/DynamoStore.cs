using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo;

/// <summary>
/// The DynamoDB-compatible store: tables and items on one SQLite database, a single group-commit writer and pooled
/// concurrent readers. The wire protocol lives in <see cref="Protocol.DynamoHttpEndpoint"/>; this class is storage
/// and metadata only, so the function host, tests and benchmarks can embed it.
/// </summary>
public sealed class DynamoStore : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _writerConnection;
    private readonly ReadSessionPool _readers;
    private readonly WriteQueue _writes;
    private readonly TimeToLiveSweeper _sweeper;
    private readonly List<Task> _backfills = [];
    private readonly WalCheckpointer? _checkpointer;
    private int _disposed;

    private DynamoStore(DynamoStoreOptions options, SqliteDatabase database, SqliteConnection writer)
    {
        Options = options;
        _database = database;
        _writerConnection = writer;
        Catalog = new TableCatalog();
        LoadCatalog();
        _readers = new ReadSessionPool(database);
        _writes = new WriteQueue(new WriteContext(writer, Catalog, Streams, options), LoadCatalog);
        _sweeper = new TimeToLiveSweeper(this, database);
        foreach (var table in _loaded) ResumeBackfills(table);
        _loaded.Clear();
        // Real time, not Options.Clock: a test's frozen clock must not stop the WAL from being checkpointed.
        _checkpointer = database.InMemory ? null : new WalCheckpointer(database, TimeProvider.System, options.WalTruncateAboveFrames, options.WalCheckpointInterval);
    }

    // SQLite's primary result codes for a file it cannot open or create, and for a write to a read-only database.
    private const int SqliteCantOpen = 14;
    private const int SqliteReadOnly = 8;

    /// <summary>
    /// Opens (or creates) the store. Throws <see cref="DynamoStoreOpenException"/> for a damaged database, or one that
    /// cannot be opened, created or written.
    /// </summary>
    public static DynamoStore Open(DynamoStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var database = new SqliteDatabase(options);
        SqliteConnection? writer = null;
        try
        {
            writer = database.OpenWriter();
            return new DynamoStore(options, database, writer);
        }
        catch (SqliteException e) when (database.FilePath is { } path && e.SqliteErrorCode is SqliteCantOpen or SqliteReadOnly)
        {
            // Not damage: SQLite could not open or create the file, or cannot write it (a data directory this user may
            // not write to, a read-only file or file system). Saying "damaged" here sent people looking at a file
            // that was never made.
            writer?.Dispose();
            throw new DynamoStoreOpenException(
                $"Cannot open or write the store database {path} (is {Path.GetDirectoryName(path)} writable?): {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (SqliteException e)
        {
            writer?.Dispose();
            throw new DynamoStoreOpenException(
                $"The store database {database.FilePath ?? "(in memory)"} is damaged or unreadable: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or ArgumentException)
        {
            writer?.Dispose();
            throw new DynamoStoreOpenException(
                $"The store database {database.FilePath ?? "(in memory)"} holds damaged table metadata: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    public DynamoStoreOptions Options { get; }

    /// <summary>The database file, or null in memory.</summary>
    public string? DatabasePath => _database.FilePath;

    internal TableCatalog Catalog { get; }

    /// <summary>Every stream still describable (enabled, or disabled less than 24 hours ago).</summary>
    internal StreamCatalog Streams { get; } = new();

    /// <summary>ClientRequestTokens of recent TransactWriteItems (writer thread only).</summary>
    internal TransactionTokens TransactionTokens { get; } = new();

    internal TimeProvider Clock => Options.Clock;

    /// <summary>The streams' records for in-process readers (the function host's event source mappings).</summary>
    public StreamFeed StreamFeed => _feed ??= new StreamFeed(this);

    private StreamFeed? _feed;

    internal string TableArn(string tableName) => $"arn:aws:dynamodb:{Options.Region}:{Options.AccountId}:table/{tableName}";

    /// <summary>
    /// Finds a table by name or ARN. Item operations report AWS's bare "Requested resource not found"; table
    /// operations pass <paramref name="describeMissing"/> to get the form that names the table.
    /// </summary>
    internal TableDefinition GetTable(string nameOrArn, bool describeMissing = false)
    {
        var name = TableNames.FromNameOrArn(nameOrArn);
        if (Catalog.TryGet(name, out var table)) return table;
        throw describeMissing ? DynamoException.TableNotFound(name) : DynamoException.ResourceNotFound();
    }

    internal byte[]? ReadItem(TableDefinition table, PrimaryKey key, out int size)
    {
        var session = _readers.Rent();
        try
        {
            return session.GetItem(table.InternalId, key, out size);
        }
        finally
        {
            _readers.Return(session);
        }
    }

    /// <summary>
    /// Deletes the items whose TTL attribute (a Number of epoch seconds, by <see cref="DynamoStoreOptions.Clock"/>)
    /// is in the past, in every table with TTL enabled, now; returns how many were deleted. The background sweeper
    /// does the same every <see cref="DynamoStoreOptions.TimeToLiveSweepInterval"/>.
    /// </summary>
    public Task<int> SweepExpiredItemsAsync(CancellationToken cancellationToken = default) => _sweeper.SweepAsync(cancellationToken);

    /// <summary>
    /// Trims stream records older than 24 hours and forgets streams disabled more than 24 hours ago (by
    /// <see cref="DynamoStoreOptions.Clock"/>); returns how many records went. The TTL sweeper's timer runs it too.
    /// </summary>
    public Task<int> TrimStreamsAsync() => StreamTrimCommand.RunAsync(this);

    /// <summary>Completes after the next background TTL sweep, with how many items it deleted (for tests).</summary>
    internal Task<int> NextBackgroundSweep => _sweeper.NextBackgroundSweep;

    /// <summary>Completes when every global secondary index being backfilled (UpdateTable Create) is ACTIVE.</summary>
    public Task WhenIndexesActiveAsync()
    {
        lock (_backfills) return Task.WhenAll(_backfills);
    }

    /// <summary>Starts building a GSI that UpdateTable added (status CREATING) in the background.</summary>
    internal void StartBackfill(TableDefinition table, SecondaryIndexDefinition index)
    {
        var task = IndexBackfill.RunAsync(this, table, index);
        lock (_backfills)
        {
            _backfills.RemoveAll(static t => t.IsCompleted);
            _backfills.Add(task);
        }
    }

    private void ResumeBackfills(TableDefinition table)
    {
        foreach (var index in table.Indexes) if (index.IndexStatus == "CREATING") StartBackfill(table, index);
    }

    /// <summary>Runs a read on a pooled read session.</summary>
    internal T Read<T>(Func<ReadSession, T> read)
    {
        var session = _readers.Rent();
        try
        {
            return read(session);
        }
        finally
        {
            _readers.Return(session);
        }
    }

    internal WriteQueue Writes => _writes;

    /// <summary>The background WAL checkpoint; null in memory.</summary>
    internal WalCheckpointer? Checkpointer => _checkpointer;

    internal Task WriteAsync(WriteCommand command)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _writes.ExecuteAsync(command);
    }

    // Called at open and, on the writer thread, after a failed commit to drop metadata changes that did not persist.
    private void LoadCatalog()
    {
        Catalog.Clear();
        using var command = _writerConnection.CreateCommand();
        command.CommandText = "SELECT id, name, definition, item_count, size_bytes FROM tables";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var table = TableDefinitionJson.Deserialize(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4));
            Catalog.Add(table);
            _loaded.Add(table);
        }
        reader.Close();
        foreach (var table in _loaded) IndexStorage.Attach(_writerConnection, table);
        Streams.Load(_writerConnection, Catalog);
        TransactionTokens.Load(_writerConnection);
        // After a failed commit the writer is running: the GSIs that were building start again.
        if (_writes is not null)
        {
            foreach (var table in _loaded) ResumeBackfills(table);
            _loaded.Clear();
        }
    }

    // Tables loaded at open, whose unfinished index builds start once the writer exists.
    private readonly List<TableDefinition> _loaded = [];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await _writes.DisposeAsync().ConfigureAwait(false);
        if (_checkpointer is not null) await _checkpointer.DisposeAsync().ConfigureAwait(false);
        _readers.Dispose();
        _writerConnection.Dispose();
    }
}
