using System.Collections.Concurrent;
using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// A read connection with its prepared statements. Sessions are pooled so concurrent reads each get their own
/// connection (WAL readers never block the writer or each other) and statements are prepared once, not per request.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _getItem;
    private readonly SqliteParameter _tableId, _hash, _range;

    public ReadSession(SqliteConnection connection)
    {
        _connection = connection;
        _getItem = connection.CreateCommand();
        _getItem.CommandText = "SELECT item, size FROM items WHERE table_id = $t AND hash_key = $h AND range_key = $r";
        _tableId = _getItem.Parameters.Add("$t", SqliteType.Integer);
        _hash = _getItem.Parameters.Add("$h", SqliteType.Blob);
        _range = _getItem.Parameters.Add("$r", SqliteType.Blob);
        _getItem.Prepare();
    }

    /// <summary>The session's connection, for reads beyond GetItem (index reads, Query and Scan).</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>The stored item JSON and its DynamoDB size, or null when absent.</summary>
    public byte[]? GetItem(long tableId, PrimaryKey key, out int size)
    {
        _tableId.Value = tableId;
        _hash.Value = key.Hash;
        _range.Value = key.Range;
        using var reader = _getItem.ExecuteReader(System.Data.CommandBehavior.SingleRow);
        if (!reader.Read())
        {
            size = 0;
            return null;
        }
        size = reader.GetInt32(1);
        return (byte[])reader.GetValue(0);
    }

    public void Dispose()
    {
        _getItem.Dispose();
        _connection.Dispose();
    }
}

/// <summary>A pool of <see cref="ReadSession"/>s, grown on demand and bounded in what it keeps.</summary>
internal sealed class ReadSessionPool : IDisposable
{
    // Enough for every connection of a 32-connection client plus headroom: a pool that is too small thrashes,
    // and opening a connection (open, pragmas, prepare) costs more than the read it serves.
    private const int MaxIdle = 64;
    private readonly SqliteDatabase _database;
    private readonly ConcurrentBag<ReadSession> _idle = [];
    private int _idleCount;
    private bool _disposed;

    public ReadSessionPool(SqliteDatabase database) => _database = database;

    public ReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }
        return new ReadSession(_database.OpenReader());
    }

    public void Return(ReadSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!_disposed) Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }
        _idle.Add(session);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session)) session.Dispose();
    }
}
