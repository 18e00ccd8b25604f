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
