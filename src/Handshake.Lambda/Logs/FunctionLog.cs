namespace Handshake.Lambda.Logs;

/// <summary>One line of a function's log, as CloudWatch Logs would store it.</summary>
public sealed record LogEvent(long Sequence, DateTimeOffset Timestamp, string LogStreamName, string Message);

/// <summary>
/// A function's log events (all its environments' streams), kept in memory in a bounded ring so that a function that
/// prints megabytes costs a fixed amount. Readers page by sequence number and can wait for new events (`logs --follow`).
/// </summary>
public sealed class FunctionLog(int capacity)
{
    private readonly Lock _gate = new();
    private readonly LogEvent[] _ring = new LogEvent[capacity];
    private long _next;
    private DateTimeOffset? _firstTimestamp;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The sequence number the next event will get.</summary>
    public long NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    public void Append(DateTimeOffset timestamp, string logStreamName, string message)
    {
        TaskCompletionSource appended;
        lock (_gate)
        {
            _firstTimestamp ??= timestamp;
            _ring[_next % _ring.Length] = new LogEvent(_next, timestamp, logStreamName, message);
            _next++;
            appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.TrySetResult();
    }

    /// <summary>Events with a sequence number at or above <paramref name="from"/>, oldest first, at most <paramref name="max"/>.</summary>
    public List<LogEvent> Read(long from, int max)
    {
        lock (_gate)
        {
            long first = Math.Max(from, Math.Max(0, _next - _ring.Length));
            long end = Math.Min(_next, first + max);
            List<LogEvent> events = new((int)Math.Max(0, end - first));
            for (long i = first; i < end; i++)
            {
                events.Add(_ring[i % _ring.Length]);
            }

            return events;
        }
    }

    /// <summary>
    /// Every event the ring still holds, oldest first, and the sequence number the next event will get, read under one
    /// lock so that the two agree (the CloudWatch Logs API pages, filters and lists streams over this copy).
    /// </summary>
    public (List<LogEvent> Events, long NextSequence) Snapshot()
    {
        lock (_gate)
        {
            long first = Math.Max(0, _next - _ring.Length);
            List<LogEvent> events = new((int)(_next - first));
            for (long i = first; i < _next; i++)
            {
                events.Add(_ring[i % _ring.Length]);
            }

            return (events, _next);
        }
    }

    /// <summary>The timestamp of the first event ever appended (even once the ring has dropped it): the log group's creation time.</summary>
    public DateTimeOffset? FirstTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _firstTimestamp;
            }
        }
    }

    /// <summary>Completes when an event with a sequence number at or above <paramref name="from"/> exists.</summary>
    public async Task WaitAsync(long from, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task appended;
            lock (_gate)
            {
                if (_next > from)
                {
                    return;
                }

                appended = _appended.Task;
            }

            await appended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
