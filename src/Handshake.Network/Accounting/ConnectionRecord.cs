namespace Handshake.Network.Accounting;

/// <summary>
/// One accepted TCP connection. The connection middleware creates it at accept and closes it; the request path
/// attributes it on the first signed request and counts requests. HTTP/1.1 serves a connection's requests one at a
/// time, and the reader and the writer each run on one thread at a time, so the counters are plain fields read with
/// Volatile for snapshots.
/// </summary>
public sealed class ConnectionRecord
{
    private long _requests;
    private long _bytesIn;
    private long _bytesOut;
    private long _closedAtTicks;

    internal ConnectionRecord(long id, string connectionId, string remoteEndPoint, bool isTls, DateTimeOffset openedAt)
    {
        Id = id;
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        IsTls = isTls;
        OpenedAt = openedAt;
    }

    /// <summary>Sequence number in the ledger, starting at 1.</summary>
    public long Id { get; }

    /// <summary>Kestrel's connection id, as it appears in Kestrel's logs.</summary>
    public string ConnectionId { get; }

    public string RemoteEndPoint { get; }

    public bool IsTls { get; }

    public DateTimeOffset OpenedAt { get; }

    public DateTimeOffset? ClosedAt
    {
        get
        {
            long ticks = Volatile.Read(ref _closedAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Bytes read from the socket (encrypted bytes on a TLS connection).</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Bytes written to the socket (encrypted bytes on a TLS connection).</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>The access key id of the first signed request, or null while none has arrived.</summary>
    public string? AccessKeyId { get; private set; }

    /// <summary>The function whose environment opened the connection, when the host knows the access key.</summary>
    public string? FunctionName { get; private set; }

    public string? EnvironmentId { get; private set; }

    /// <summary>The ledger group the connection counts in, set once at attribution.</summary>
    internal ConnectionGroup? Group { get; private set; }

    internal bool IsAttributed => Group is not null;

    internal void Attribute(ConnectionGroup group, string accessKeyId, string? functionName, string? environmentId)
    {
        AccessKeyId = accessKeyId;
        FunctionName = functionName;
        EnvironmentId = environmentId;
        Group = group;
    }

    internal void AttributeUnsigned(ConnectionGroup group) => Group = group;

    internal void AddRequest() => Volatile.Write(ref _requests, _requests + 1);

    internal void AddBytesIn(long count) => Volatile.Write(ref _bytesIn, _bytesIn + count);

    internal void AddBytesOut(long count) => Volatile.Write(ref _bytesOut, _bytesOut + count);

    internal void MarkClosed(DateTimeOffset closedAt) => Volatile.Write(ref _closedAtTicks, closedAt.UtcTicks);
}
