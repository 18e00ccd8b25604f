using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The one SQLite database behind a store: its location, its schema and how connections are opened.
///
/// Durability: the database runs in WAL mode with synchronous=NORMAL. A commit appends the transaction to the WAL
/// file with write(2) before it returns, so once a write is acknowledged it is in the operating system's page cache
/// and survives kill -9 of this process: the next open replays the WAL. Only a power loss or kernel crash can lose
/// the last transactions, which synchronous=FULL (an fsync per commit) would also cover at several times the cost.
/// The issue asks for kill -9 durability, so NORMAL is the deliberate choice; group commit keeps commits few anyway.
///
/// In-memory mode uses a named shared-cache memory database so the writer and the readers share one database;
/// readers use read_uncommitted so they never wait on the writer's table locks.
/// </summary>
internal sealed class SqliteDatabase
{
    public const string FileName = "handshake.db";
    private const int SchemaVersion = 1;

    private readonly string _connectionString;
    // When a commit rewinds the WAL it cuts the file back to this size: the checkpointer's limit in bytes (4 KB pages).
    private readonly long _walLimitBytes;

    public SqliteDatabase(DynamoStoreOptions options)
    {
        InMemory = options.InMemory;
        _walLimitBytes = WalCheckpointer.WalBytes(options.WalTruncateAboveFrames);
        if (InMemory)
        {
            _connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = "handshake-" + Guid.NewGuid().ToString("N"),
                Mode = SqliteOpenMode.Memory,
                Cache = SqliteCacheMode.Shared,
                Pooling = false,
            }.ToString();
            return;
        }
        var directory = Path.GetFullPath(options.DataDirectory ?? ".handshake");
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DynamoStoreOpenException($"Cannot create the data directory {directory}: {e.Message}", e);
        }
        FilePath = Path.Combine(directory, FileName);
        CheckHeader(FilePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    public bool InMemory { get; }

    public string? FilePath { get; }

    /// <summary>Opens the writer connection and brings the schema up to date.</summary>
    public SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, InMemory
            ? "PRAGMA foreign_keys=OFF;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=" + _walLimitBytes + ";");
        if (!InMemory) CheckIntegrity(connection);
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS store_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS tables(
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                definition TEXT NOT NULL,
                item_count INTEGER NOT NULL DEFAULT 0,
                size_bytes INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS items(
                table_id INTEGER NOT NULL,
                hash_key BLOB NOT NULL,
                range_key BLOB NOT NULL,
                size INTEGER NOT NULL,
                item BLOB NOT NULL,
                PRIMARY KEY(table_id, hash_key, range_key)) WITHOUT ROWID;
            """);
        Execute(connection, IndexStorage.Schema);
        Execute(connection, StreamCatalog.Schema);
        Execute(connection, TransactionTokens.Schema);
        using var version = connection.CreateCommand();
        version.CommandText = "INSERT OR IGNORE INTO store_meta(key, value) VALUES ('schema_version', $v); SELECT value FROM store_meta WHERE key = 'schema_version';";
        version.Parameters.AddWithValue("$v", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stored = Convert.ToString(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (stored != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new DynamoStoreOpenException($"The database {FilePath} has schema version {stored}; this Handshake reads version {SchemaVersion}.");
        return connection;
    }

    /// <summary>Opens a connection for reads; WAL gives each read a consistent snapshot without blocking the writer.</summary>
    public SqliteConnection OpenReader(bool forCheckpoints = false)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (forCheckpoints)
        {
            Execute(connection, "PRAGMA busy_timeout=1000;");
            return connection;
        }
        // Readers map the file: page reads become memory reads, without a copy into each connection's cache.
        Execute(connection, InMemory ? "PRAGMA read_uncommitted=1;" : "PRAGMA busy_timeout=5000; PRAGMA query_only=1; PRAGMA mmap_size=268435456;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // A page damaged on disk would otherwise surface only when a request touches it (a 500, or worse a wrong answer),
    // so the whole file is checked once at open. quick_check verifies every b-tree page and record format but skips
    // the index-to-table cross check of integrity_check: it reads the file once, so its cost grows with the database.
    private void CheckIntegrity(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(1);";
        var result = Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (result != "ok")
            throw new DynamoStoreOpenException(
                $"The store database {FilePath} is damaged ({(result ?? "no answer").ReplaceLineEndings(" ")}); move it aside or restore a copy to start.");
    }

    // SQLite would report a non-database file only at the first query, with a generic message; a damaged or foreign
    // file must be refused at start with a clear one, never served.
    private static void CheckHeader(string path)
    {
        try
        {
            if (!File.Exists(path)) return;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length == 0) return;
            Span<byte> header = stackalloc byte[16];
            if (stream.Length < 100 || stream.ReadAtLeast(header, 16, throwOnEndOfStream: false) < 16
                || !header.SequenceEqual("SQLite format 3\0"u8))
                throw new DynamoStoreOpenException($"The store database {path} is damaged or is not a SQLite database.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DynamoStoreOpenException($"The store database {path} cannot be read: {e.Message}", e);
        }
    }
}
