using Handshake.Dynamo.Protocol;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// ClientRequestToken idempotency: a token is remembered for 10 minutes (by the store's clock) with a hash of its
/// request. The same token with the same request is a no-op success; with another request, an error.
///
/// A token is kept in the database with the transaction it made (same commit), so a client that retries after the
/// store restarted, or was killed right after answering, still gets one application, as DynamoDB's ten-minute window
/// promises. Memory holds the same tokens for the lookup; it is reloaded from the database at open and after a failed
/// commit. Touched only on the writer thread, so no locking.
/// </summary>
internal sealed class TransactionTokens
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS transaction_tokens(
            token TEXT PRIMARY KEY,
            request_hash BLOB NOT NULL,
            at_ms INTEGER NOT NULL) WITHOUT ROWID;
        """;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    // Above this many tokens in memory, the expired ones are dropped from memory and the database.
    private const int ExpireAbove = 10_000;
    private readonly Dictionary<string, (byte[] Hash, DateTimeOffset At)> _tokens = new(StringComparer.Ordinal);

    /// <summary>True when this exact transaction already ran under the token.</summary>
    public bool Check(string token, byte[] hash, DateTimeOffset now)
    {
        if (!_tokens.TryGetValue(token, out var seen)) return false;
        if (now - seen.At >= Window)
        {
            _tokens.Remove(token);
            return false;
        }
        if (!seen.Hash.AsSpan().SequenceEqual(hash))
            throw new DynamoException(DynamoErrorCode.IdempotentParameterMismatchException,
                "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.");
        return true;
    }

    /// <summary>Remembers a token inside the transaction's savepoint: it is kept exactly when the writes are.</summary>
    public void Remember(WriteContext context, string token, byte[] hash, DateTimeOffset now)
    {
        if (_tokens.Count > ExpireAbove) Expire(context.Connection, now);
        using var insert = context.CreateCommand(
            "INSERT INTO transaction_tokens(token, request_hash, at_ms) VALUES ($t, $h, $at) ON CONFLICT(token) DO UPDATE SET request_hash = excluded.request_hash, at_ms = excluded.at_ms;");
        insert.Parameters.AddWithValue("$t", token);
        insert.Parameters.AddWithValue("$h", hash);
        insert.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
        _tokens[token] = (hash, now);
    }

    /// <summary>
    /// Reads the committed tokens (at open, and after a failed commit, when the tokens of the transactions it held
    /// must be forgotten). Tokens outside the window are left for <see cref="Expire"/>: the clock may be a test's.
    /// </summary>
    public void Load(SqliteConnection connection)
    {
        _tokens.Clear();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT token, request_hash, at_ms FROM transaction_tokens;";
        using var reader = select.ExecuteReader();
        while (reader.Read())
            _tokens[reader.GetString(0)] = ((byte[])reader.GetValue(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
    }

    private void Expire(SqliteConnection connection, DateTimeOffset now)
    {
        var expired = new List<string>();
        foreach (var (token, seen) in _tokens) if (now - seen.At >= Window) expired.Add(token);
        foreach (var token in expired) _tokens.Remove(token);
        // Inside the transaction being written: its commit removes them from the database too.
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM transaction_tokens WHERE at_ms <= $cutoff;";
        delete.Parameters.AddWithValue("$cutoff", (now - Window).ToUnixTimeMilliseconds());
        delete.ExecuteNonQuery();
    }
}
