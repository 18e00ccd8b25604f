using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Handshake.Network.Metrics;
using Handshake.Network.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Network.Accounting;

/// <summary>
/// Every TCP connection the endpoint accepted: the open ones, the most recent closed ones, and running totals per
/// function environment (or per access key for clients outside the host). A connection is attributed by the access
/// key of its first signed request, because the host gives each execution environment its own credentials.
/// </summary>
public sealed class ConnectionLedger : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly int _recentCapacity;
    private readonly ConcurrentDictionary<long, ConnectionRecord> _open = new();
    private readonly ConcurrentDictionary<string, ConnectionGroup> _groupsByAccessKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConnectionGroup>.AlternateLookup<ReadOnlySpan<char>> _groupsBySpan;
    private readonly ConnectionGroup _unsigned = new(null, null, null);
    private readonly Queue<ConnectionRecord> _recent = new();
    private readonly Lock _recentLock = new();
    private long _nextId;

    public ConnectionLedger(ConnectionLedgerOptions? options = null)
    {
        options ??= new ConnectionLedgerOptions();
        _clock = options.Clock;
        _recentCapacity = options.RecentCapacity;
        Resolver = options.Resolver;
        _groupsBySpan = _groupsByAccessKey.GetAlternateLookup<ReadOnlySpan<char>>();
        Metrics = new NetworkMetrics(options.MeterScope ?? this);
    }

    /// <summary>
    /// Maps an access key id to the execution environment that holds it; null for clients outside the host.
    /// Settable because the composition creates the ledger before the function host that resolves.
    /// </summary>
    public Func<string, (string FunctionName, string EnvironmentId)?>? Resolver { get; set; }

    /// <summary>
    /// Raised after a connection closed and was counted, on the thread that closed it. For observers such as a
    /// benchmark's timeline and tests; keep handlers short.
    /// </summary>
    public event Action<ConnectionRecord>? ConnectionClosed;

    /// <summary>The "Handshake.Network" meter of this ledger (its Scope identifies the server that owns it).</summary>
    public Meter Meter => Metrics.Meter;

    internal NetworkMetrics Metrics { get; }

    // Names the connections opened outside Kestrel (OnOpened), which have no Kestrel connection id.
    private long _outsideKestrel;

    /// <summary>Connections accepted so far, attributed or not.</summary>
    public long TotalOpened => Volatile.Read(ref _nextId);

    /// <summary>
    /// Connections opened so far by the holder of <paramref name="accessKeyId"/>. The function host reads it before and
    /// after an invocation for the REPORT line's "New Connections"; a connection counts from its first signed request.
    /// </summary>
    public long NewConnections(string accessKeyId) =>
        _groupsByAccessKey.TryGetValue(accessKeyId, out ConnectionGroup? group) ? group.Opened : 0;

    /// <summary>Counts one request on the connection that carries it, and attributes the connection if it is new.</summary>
    public void OnRequest(HttpContext context)
    {
        if (context.Features.Get<ConnectionRecord>() is { } record)
        {
            // The header is read only while the connection is unattributed: once per connection, not per request.
            CountRequest(record, record.IsAttributed ? null : context.Request.Headers.Authorization.ToString());
        }
    }

    /// <summary>The same for a request answered off Kestrel (the store's event loop): its connection's features.</summary>
    public void OnRequest(IFeatureCollection connectionFeatures, string? authorization)
    {
        if (connectionFeatures.Get<ConnectionRecord>() is { } record)
        {
            CountRequest(record, authorization);
        }
    }

    private void CountRequest(ConnectionRecord record, string? authorization)
    {
        record.AddRequest();
        if (!record.IsAttributed)
        {
            TryAttribute(record, authorization ?? "");
        }
    }

    /// <summary>
    /// Opens the record of a connection accepted outside Kestrel's connection middleware (the store's event loop) and
    /// keeps it in the connection's features; the middleware finds it there if Kestrel takes the connection over.
    /// </summary>
    public void OnOpened(IFeatureCollection connectionFeatures, EndPoint? remoteEndPoint, bool isTls)
    {
        long number = Interlocked.Increment(ref _outsideKestrel);
        connectionFeatures.Set(Open("store-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture), remoteEndPoint, isTls));
    }

    /// <summary>Counts bytes consumed and sent on such a connection.</summary>
    public void OnTransferred(IFeatureCollection connectionFeatures, long bytesIn, long bytesOut)
    {
        if (connectionFeatures.Get<ConnectionRecord>() is { } record)
        {
            if (bytesIn > 0) record.AddBytesIn(bytesIn);
            if (bytesOut > 0) record.AddBytesOut(bytesOut);
        }
    }

    /// <summary>Closes such a connection's record.</summary>
    public void OnClosed(IFeatureCollection connectionFeatures)
    {
        if (connectionFeatures.Get<ConnectionRecord>() is { } record)
        {
            Close(record);
        }
    }

    internal ConnectionRecord Open(string connectionId, EndPoint? remoteEndPoint, bool isTls)
    {
        long id = Interlocked.Increment(ref _nextId);
        ConnectionRecord record = new(id, connectionId, remoteEndPoint?.ToString() ?? "", isTls, _clock.GetUtcNow());
        _open[id] = record;
        Metrics.Opened(isTls);
        return record;
    }

    internal void Close(ConnectionRecord record)
    {
        if (record.Group is null)
        {
            // Never signed a request (a probe, a TLS failure, an unsigned health check): counted apart.
            record.AttributeUnsigned(_unsigned);
            _unsigned.Add(record);
        }

        record.Group!.Close(record, _clock.GetUtcNow());
        _open.TryRemove(record.Id, out _);
        Metrics.Closed(record);
        lock (_recentLock)
        {
            _recent.Enqueue(record);
            while (_recent.Count > _recentCapacity)
            {
                _recent.Dequeue();
            }
        }

        ConnectionClosed?.Invoke(record);
    }

    internal bool TryAttribute(ConnectionRecord record, ReadOnlySpan<char> authorization)
    {
        if (!SigV4Authorization.TryGetAccessKeyId(authorization, out ReadOnlySpan<char> accessKeyId))
        {
            return false;
        }

        if (!_groupsBySpan.TryGetValue(accessKeyId, out ConnectionGroup? group))
        {
            string key = accessKeyId.ToString();
            (string FunctionName, string EnvironmentId)? environment = Resolver?.Invoke(key);
            group = _groupsByAccessKey.GetOrAdd(key, new ConnectionGroup(key, environment?.FunctionName, environment?.EnvironmentId));
        }

        record.Attribute(group, group.AccessKeyId!, group.FunctionName, group.EnvironmentId);
        group.Add(record);
        return true;
    }

    /// <summary>A consistent-enough picture for the admin endpoint: exact per group, live for open connections.</summary>
    public ConnectionReport Snapshot()
    {
        ConnectionRecord[] open = [.. _open.Values];
        Array.Sort(open, static (a, b) => a.Id.CompareTo(b.Id));
        ConnectionRecord[] recent;
        lock (_recentLock)
        {
            recent = [.. _recent];
        }

        Dictionary<string, FunctionConnections> functions = new(StringComparer.Ordinal);
        List<ClientConnections> clients = [];
        ConnectionTotals totals = default;
        foreach (ConnectionGroup group in _groupsByAccessKey.Values)
        {
            ConnectionTotals groupTotals = group.Snapshot(open);
            totals.Add(groupTotals);
            if (group.FunctionName is null)
            {
                clients.Add(new ClientConnections(group.AccessKeyId!, groupTotals));
                continue;
            }

            if (!functions.TryGetValue(group.FunctionName, out FunctionConnections? function))
            {
                function = new FunctionConnections(group.FunctionName);
                functions.Add(group.FunctionName, function);
            }

            function.Environments.Add(new EnvironmentConnections(group.EnvironmentId!, group.AccessKeyId!, groupTotals));
            function.AddTotals(groupTotals);
        }

        ConnectionTotals unsigned = _unsigned.Snapshot(open);
        totals.Add(unsigned);

        // Open connections that have not signed a request yet belong to no group until they do or close.
        foreach (ConnectionRecord record in open)
        {
            if (record.Group is null && record.ClosedAt is null)
            {
                ConnectionTotals pending = new()
                {
                    Opened = 1,
                    Active = 1,
                    Tls = record.IsTls ? 1 : 0,
                    Requests = record.Requests,
                    BytesIn = record.BytesIn,
                    BytesOut = record.BytesOut,
                    FirstOpenedAt = record.OpenedAt,
                    LastOpenedAt = record.OpenedAt,
                };
                totals.Add(pending);
                unsigned.Add(pending);
            }
        }

        List<FunctionConnections> functionList = [.. functions.Values];
        functionList.Sort(static (a, b) => string.CompareOrdinal(a.FunctionName, b.FunctionName));
        foreach (FunctionConnections function in functionList)
        {
            function.Environments.Sort(static (a, b) => string.CompareOrdinal(a.EnvironmentId, b.EnvironmentId));
        }

        clients.Sort(static (a, b) => string.CompareOrdinal(a.AccessKeyId, b.AccessKeyId));
        return new ConnectionReport(_clock.GetUtcNow(), totals, functionList, clients, unsigned, open, recent);
    }

    public void Dispose() => Metrics.Dispose();
}
