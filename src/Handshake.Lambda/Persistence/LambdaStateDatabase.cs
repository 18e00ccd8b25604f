using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Persistence;

/// <summary>
/// What the host was told through its control plane and what it accepted to run later, kept across restarts in its own
/// SQLite file (<c>lambda.db</c>) in the host's data directory: one JSON document per (kind, key).
///
/// Each kind belongs to one part of the host, which writes its documents in Lambda's own shapes and reads them back at
/// start. A document is written before the request that made it is answered, so an acknowledged change survives
/// kill -9 (WAL with synchronous=NORMAL, as the store's database: the commit reaches the operating system before it
/// returns). The writes are few (control-plane calls, a checkpoint per batch, an entry per Event invocation), so one
/// connection behind a lock serves them all. A writer waits at most a second for a file another process holds
/// (busy_timeout): the change is then refused with ServiceException rather than keep its control-plane request (and
/// the function's later changes) waiting.
/// </summary>
internal sealed class LambdaStateDatabase : IDisposable
{
    public const string FileName = "lambda.db";

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    public LambdaStateDatabase(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
        _connection = SqliteFile.Open(FilePath, """
            CREATE TABLE IF NOT EXISTS documents(
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY(kind, key)) WITHOUT ROWID;
            """);
    }

    public string FilePath { get; }

    /// <summary>The host's data directory, which holds the file (and the unpacked code the documents name relative to it).</summary>
    public string Directory { get; }

    /// <summary>A document's text, as its writer makes it (each kind's owner writes its own shape).</summary>
    public static string Document(Action<Utf8JsonWriter> write)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Every document of one kind, in key order.</summary>
    public List<(string Key, string Body)> Load(string kind)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT key, body FROM documents WHERE kind = $kind ORDER BY key;";
            command.Parameters.AddWithValue("$kind", kind);
            using SqliteDataReader reader = command.ExecuteReader();
            List<(string, string)> documents = [];
            while (reader.Read())
            {
                documents.Add((reader.GetString(0), reader.GetString(1)));
            }

            return documents;
        }
    }

    /// <summary>Writes (or replaces) one document; committed when this returns.</summary>
    public void Put(string kind, string key, string body) => Write(batch => batch.Put(kind, key, body));

    /// <summary>Removes one document, if there is one; committed when this returns.</summary>
    public void Delete(string kind, string key) => Write(batch => batch.Delete(kind, key));

    /// <summary>Several puts and deletes in one transaction: all of them are kept, or none.</summary>
    public void Write(Action<Batch> changes)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _connection.BeginTransaction();
            changes(new Batch(_connection, transaction));
            transaction.Commit();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    /// <summary>The changes of one <see cref="Write"/>.</summary>
    public readonly struct Batch
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;

        internal Batch(SqliteConnection connection, SqliteTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
        }

        public void Put(string kind, string key, string body) =>
            Run("INSERT INTO documents(kind, key, body) VALUES ($kind, $key, $body) ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body;", kind, key, body);

        public void Delete(string kind, string key) =>
            Run("DELETE FROM documents WHERE kind = $kind AND key = $key;", kind, key, null);

        /// <summary>The statement <see cref="DeletePrefix"/> runs (its plan is checked by the tests).</summary>
        internal const string DeletePrefixSql = "DELETE FROM documents WHERE kind = $kind AND key >= $key AND key < $end;";

        /// <summary>
        /// Removes every document of a kind whose key starts with the prefix (a function's documents, say), as the key
        /// range [prefix, prefix with its last character incremented): a seek on the primary key, not a scan of the
        /// kind. The keys compare as UTF-8 bytes, which order as the characters for a prefix that ends in an ASCII
        /// character (FunctionDocuments' end in '/').
        /// </summary>
        public void DeletePrefix(string kind, string keyPrefix)
        {
            if (keyPrefix.Length == 0 || !char.IsAscii(keyPrefix[^1]))
            {
                throw new ArgumentException("A key prefix ends in an ASCII character.", nameof(keyPrefix));
            }

            string end = string.Concat(keyPrefix.AsSpan(0, keyPrefix.Length - 1), ((char)(keyPrefix[^1] + 1)).ToString());
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = DeletePrefixSql;
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$key", keyPrefix);
            command.Parameters.AddWithValue("$end", end);
            command.ExecuteNonQuery();
        }

        private void Run(string sql, string kind, string key, string? body)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$key", key);
            if (body is not null)
            {
                command.Parameters.AddWithValue("$body", body);
            }

            command.ExecuteNonQuery();
        }
    }
}
