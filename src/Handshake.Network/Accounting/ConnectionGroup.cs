namespace Handshake.Network.Accounting;

/// <summary>
/// Running totals for the connections of one function environment, one outside client (by access key), or the
/// connections that never sent a signed request. Updated under the group's own lock: at attribution and at close,
/// never per request.
/// </summary>
internal sealed class ConnectionGroup
{
    private readonly Lock _lock = new();
    private long _opened;
    private long _active;
    private long _tls;
    private long _requests;
    private long _bytesIn;
    private long _bytesOut;
    private DateTimeOffset? _firstOpenedAt;
    private DateTimeOffset? _lastOpenedAt;

    public ConnectionGroup(string? accessKeyId, string? functionName, string? environmentId)
    {
        AccessKeyId = accessKeyId;
        FunctionName = functionName;
        EnvironmentId = environmentId;
    }

    public string? AccessKeyId { get; }

    public string? FunctionName { get; }

    public string? EnvironmentId { get; }

    /// <summary>Connections counted in this group so far; read without the lock by the per-access-key counter.</summary>
    public long Opened => Volatile.Read(ref _opened);

    public void Add(ConnectionRecord record)
    {
        lock (_lock)
        {
            _opened++;
            _active++;
            if (record.IsTls)
            {
                _tls++;
            }

            _firstOpenedAt ??= record.OpenedAt;
            if (_lastOpenedAt is null || record.OpenedAt > _lastOpenedAt)
            {
                _lastOpenedAt = record.OpenedAt;
            }
        }
    }

    // Marking the record closed under the lock keeps Snapshot exact: a record's counters are in the totals or in the
    // open set, never both or neither.
    public void Close(ConnectionRecord record, DateTimeOffset closedAt)
    {
        lock (_lock)
        {
            _active--;
            _requests += record.Requests;
            _bytesIn += record.BytesIn;
            _bytesOut += record.BytesOut;
            record.MarkClosed(closedAt);
        }
    }

    /// <summary>Totals including the live counters of the group's still-open connections.</summary>
    public ConnectionTotals Snapshot(IEnumerable<ConnectionRecord> open)
    {
        lock (_lock)
        {
            ConnectionTotals totals = new()
            {
                Opened = _opened,
                Active = _active,
                Closed = _opened - _active,
                Tls = _tls,
                Requests = _requests,
                BytesIn = _bytesIn,
                BytesOut = _bytesOut,
                FirstOpenedAt = _firstOpenedAt,
                LastOpenedAt = _lastOpenedAt,
            };
            foreach (ConnectionRecord record in open)
            {
                if (record.Group == this && record.ClosedAt is null)
                {
                    totals.Requests += record.Requests;
                    totals.BytesIn += record.BytesIn;
                    totals.BytesOut += record.BytesOut;
                }
            }

            return totals;
        }
    }
}
