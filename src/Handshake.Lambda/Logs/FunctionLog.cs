namespace Handshake.Lambda.Logs;

/// <summary>One line of a function's log, as CloudWatch Logs would store it.</summary>
public sealed record LogEvent(long Sequence, DateTimeOffset Timestamp, string LogStreamName, string Message);

/// <summary>
/// What a log stream keeps of its former events, those the log no longer holds (its group's retention expired them, or
/// the cap pushed them out): the timestamp of the oldest of them and of the newest. CloudWatch keeps a stream, and these,
/// until the stream is deleted: events go, streams stay, and DescribeLogStreams goes on describing an emptied stream with them.
/// </summary>
public readonly record struct FormerStreamEvents(DateTimeOffset FirstEventTimestamp, DateTimeOffset LastEventTimestamp);

/// <summary>
/// A function's log events (all its environments' streams), kept in memory in a bounded ring so that a function that
/// prints megabytes costs a fixed amount. Readers page by sequence number and can wait for new events (`logs --follow`).
/// The ring is what every reader reads; with a <see cref="LogWriter"/> each event is also copied to logs.db, and the
/// ring is refilled from there at start (<see cref="Restore"/>), so sequence numbers go on across restarts.
///
/// The same events are also kept in CloudWatch's read order (timestamp, then sequence number: <see cref="TimeOrderedEvents"/>)
/// for the CloudWatch Logs API (<see cref="SnapshotByTime"/>), updated with the ring: an event the ring drops (the
/// oldest logged or put, whatever its timestamp) leaves both, and so does one its group's retention expires
/// (<see cref="Expire"/>). A stream is not forgotten with its events, whichever of the two took them: the log keeps the
/// timestamps they had (<see cref="FormerStreamEvents"/>, in logs.db too), so an environment's stream, known otherwise
/// only by its events, stays until DeleteLogStream or DeleteLogGroup, as in CloudWatch.
/// </summary>
public sealed class FunctionLog
{
    private readonly Lock _gate = new();
    private readonly string _functionName;
    private readonly LogEvent[] _ring;
    private readonly TimeOrderedEvents _byTime;
    private readonly LogWriter? _writer;

    /// <summary>
    /// The streams the log has let events go from, by name, with those events' times (<see cref="Keep"/>): the cap's drop
    /// in <see cref="Append"/> and a retention's <see cref="Expire"/>. Dropped by <see cref="RemoveStream"/> and
    /// <see cref="Clear"/>, which delete the stream.
    /// </summary>
    private readonly Dictionary<string, FormerTimes> _formerEvents = new(StringComparer.Ordinal);

    /// <summary>
    /// The stream <see cref="Keep"/> last kept times for, by reference, and its entry: an environment hands the log the
    /// same name string with every line, and a full log's drops come in runs of one stream, so most skip the lookup.
    /// Forgotten with the entry (<see cref="RemoveStream"/>, <see cref="Clear"/>).
    /// </summary>
    private string? _keptStream;
    private FormerTimes? _kept;
    private long _next;
    private DateTimeOffset? _firstTimestamp;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal FunctionLog(string functionName, int capacity, LogWriter? writer)
    {
        _functionName = functionName;
        _ring = new LogEvent[capacity];
        _byTime = new TimeOrderedEvents(capacity);
        _writer = writer;
    }

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
        LogEvent e;
        lock (_gate)
        {
            _firstTimestamp ??= timestamp;
            e = new LogEvent(_next, timestamp, logStreamName, message);
            long slot = _next % _ring.Length;
            // The oldest logged goes (a gap's stale event is not in the time order: nothing goes), and its stream
            // keeps its time, so that a stream the cap empties is still there, as one the retention empties is.
            if (_ring[slot] is { } dropped && _byTime.Remove(dropped))
            {
                Keep(dropped);
            }

            _ring[slot] = e;
            _byTime.Add(e);
            _next++;
            appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.TrySetResult();
        // Outside the lock: the file is keyed by sequence number, so two environments' events may reach it in either order.
        _writer?.TryWrite(_functionName, e);
    }

    /// <summary>
    /// Puts back what logs.db kept (oldest first; sequence numbers with gaps where the writer dropped events), before
    /// any event is appended: numbering goes on after the last one, the group keeps its creation time, and the streams
    /// the log had let events go from keep what they had (<paramref name="formerEvents"/>). An event numbered before
    /// the ring's reach (logs.db written with a larger cap) is let go as the cap's drop is: its stream keeps its time.
    /// </summary>
    internal void Restore(DateTimeOffset creationTime, List<LogEvent> events, Dictionary<string, FormerStreamEvents> formerEvents)
    {
        lock (_gate)
        {
            _firstTimestamp = creationTime;
            foreach ((string stream, FormerStreamEvents former) in formerEvents)
            {
                _formerEvents[stream] = new FormerTimes(former.FirstEventTimestamp, former.LastEventTimestamp);
            }

            long reach = events.Count > 0 ? events[^1].Sequence + 1 - _ring.Length : 0;
            foreach (LogEvent e in events)
            {
                if (e.Sequence < reach)
                {
                    Keep(e);
                    continue;
                }

                _ring[e.Sequence % _ring.Length] = e;
                _next = e.Sequence + 1;
            }

            // Sorted once here: logs.db's rows are read in sequence order, and put events need not be in timestamp order.
            _byTime.Replace(Kept());
        }
    }

    /// <summary>
    /// DeleteLogGroup: drops every event and the group's creation time, as CloudWatch deletes a group's streams and
    /// events. Numbering goes on (a follower paging by sequence number is not sent back to events it has seen); the
    /// function's next line makes the group again, as Lambda does. The rows in logs.db below the returned number are
    /// deleted by the writer, in order with the events written before.
    /// </summary>
    internal void Clear()
    {
        long next;
        lock (_gate)
        {
            Array.Clear(_ring);
            _byTime.Clear();
            _formerEvents.Clear();
            (_keptStream, _kept) = (null, null);
            _firstTimestamp = null;
            next = _next;
        }

        _writer?.TryDelete(_functionName, next);
    }

    /// <summary>
    /// DeleteLogStream: drops the stream's events from the ring (their slots become gaps, as a restore's are) and, through
    /// the writer, its rows in logs.db numbered below the returned position. Numbering goes on; an environment still
    /// writing to the stream makes it again with its next line (Lambda's own streams are the environments').
    /// </summary>
    internal void RemoveStream(string logStreamName)
    {
        long next;
        lock (_gate)
        {
            for (int i = 0; i < _ring.Length; i++)
            {
                if (_ring[i] is { } e && e.LogStreamName == logStreamName)
                {
                    _ring[i] = null!;
                }
            }

            _byTime.RemoveAll(e => e.LogStreamName == logStreamName);
            _formerEvents.Remove(logStreamName);
            (_keptStream, _kept) = (null, null);

            next = _next;
        }

        _writer?.TryDeleteStream(_functionName, logStreamName, next);
    }

    /// <summary>
    /// A log group's retention: drops the events whose timestamp (in milliseconds, as PutLogEvents judges an event
    /// expired) is before <paramref name="cutoff"/>, from the ring, from the time order and, through the writer, from
    /// logs.db (its rows numbered below the returned position and stamped before the cutoff). Returns how many went.
    /// Each stream an event leaves keeps its first event's timestamp and its newest expired one's (<see cref="Keep"/>, in
    /// memory and, with the expiry, in logs.db), so that it is still described, with them, once all its events are gone.
    /// Called before a read and on a coarse timer, never on append (see <see cref="LogsApi.LogRetention"/>): the time
    /// order holds the oldest event at its front, so when nothing has expired this looks at one event, and each expired
    /// event is removed from the front in O(1); nothing is queued for the file then.
    /// </summary>
    internal int Expire(DateTimeOffset cutoff)
    {
        long cutoffMs = cutoff.ToUnixTimeMilliseconds();
        cutoff = DateTimeOffset.FromUnixTimeMilliseconds(cutoffMs); // whole milliseconds: logs.db compares ticks to it
        int expired = 0;
        long next;
        Dictionary<string, FormerStreamEvents>? streams = null;
        lock (_gate)
        {
            while (_byTime.Count > 0 && _byTime[0].Timestamp.ToUnixTimeMilliseconds() < cutoffMs)
            {
                LogEvent e = _byTime[0];
                _byTime.RemoveFirst();
                // Its slot becomes a gap, as a deleted stream's do (a slot the ring has reused holds another event).
                long slot = e.Sequence % _ring.Length;
                if (ReferenceEquals(_ring[slot], e))
                {
                    _ring[slot] = null!;
                }

                (streams ??= new(StringComparer.Ordinal))[e.LogStreamName] = Keep(e); // for logs.db
                expired++;
            }

            next = _next;
        }

        if (streams is not null)
        {
            _writer?.TryExpire(_functionName, cutoff, next, streams);
        }

        return expired;
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
                AddIfKept(events, i);
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
            return (Kept(), _next);
        }
    }

    /// <summary>
    /// The same events as <see cref="Snapshot"/>, in CloudWatch's read order: by timestamp (milliseconds), ties in the
    /// order they were logged (GetLogEvents reads a stream, FilterLogEvents the group, in this order). Kept in that
    /// order as events arrive, so this is a copy, not a sort.
    /// </summary>
    public (List<LogEvent> Events, long NextSequence) SnapshotByTime()
    {
        lock (_gate)
        {
            return (_byTime.ToList(), _next);
        }
    }

    /// <summary>
    /// The events as <see cref="Snapshot"/> has them, with the streams the log has let events go from (a copy), read
    /// under one lock so that the two agree (DescribeLogStreams lists the streams of both).
    /// </summary>
    public (List<LogEvent> Events, Dictionary<string, FormerStreamEvents> FormerEvents) SnapshotStreams()
    {
        lock (_gate)
        {
            Dictionary<string, FormerStreamEvents> former = new(_formerEvents.Count, StringComparer.Ordinal);
            foreach ((string stream, FormerTimes times) in _formerEvents)
            {
                former[stream] = times.Copy;
            }

            return (Kept(), former);
        }
    }

    /// <summary>
    /// Whether the log knows <paramref name="logStreamName"/>: it holds one of its events, or held some that it let go
    /// (expired, or pushed out by the cap: the stream stays until it is deleted). Not whether an expiry has run yet: an
    /// expired event not yet removed still counts, so the answer is the same before and after the sweep.
    /// </summary>
    public bool HasStream(string logStreamName)
    {
        lock (_gate)
        {
            return _formerEvents.ContainsKey(logStreamName) || HasEventsLocked(logStreamName);
        }
    }

    /// <summary>Whether any event the log holds is in <paramref name="logStreamName"/> (a scan under the lock, no copy).</summary>
    public bool HasEvents(string logStreamName)
    {
        lock (_gate)
        {
            return HasEventsLocked(logStreamName);
        }
    }

    private bool HasEventsLocked(string logStreamName)
    {
        for (int i = 0; i < _byTime.Count; i++)
        {
            if (_byTime[i].LogStreamName == logStreamName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Keeps, for the stream of an event the log lets go (under the lock), the oldest and newest timestamps of the
    /// events it has let go from it, in place: no lookup when the stream is the one kept last (<see cref="_keptStream"/>),
    /// else one; an allocation only for a stream's first. The min and max, not the first and last let go: the cap lets
    /// events go in the order they were logged or put, not by timestamp, and a retention raised may let an older one
    /// be put after an expiry.
    /// </summary>
    private FormerStreamEvents Keep(LogEvent e)
    {
        FormerTimes? times = ReferenceEquals(e.LogStreamName, _keptStream) ? _kept : null;
        if (times is null)
        {
            if (!_formerEvents.TryGetValue(e.LogStreamName, out times))
            {
                times = new FormerTimes(e.Timestamp, e.Timestamp);
                _formerEvents.Add(e.LogStreamName, times);
            }

            (_keptStream, _kept) = (e.LogStreamName, times);
        }

        if (e.Timestamp < times.First)
        {
            times.First = e.Timestamp;
        }

        if (e.Timestamp > times.Last)
        {
            times.Last = e.Timestamp;
        }

        return times.Copy;
    }

    /// <summary>A stream's <see cref="FormerStreamEvents"/>, changed in place under the log's lock; readers get a <see cref="Copy"/>.</summary>
    private sealed class FormerTimes(DateTimeOffset first, DateTimeOffset last)
    {
        public DateTimeOffset First { get; set; } = first;

        public DateTimeOffset Last { get; set; } = last;

        public FormerStreamEvents Copy => new(First, Last);
    }

    /// <summary>The events the ring holds, in sequence order (under the lock).</summary>
    private List<LogEvent> Kept()
    {
        long first = Math.Max(0, _next - _ring.Length);
        List<LogEvent> events = new((int)(_next - first));
        for (long i = first; i < _next; i++)
        {
            AddIfKept(events, i);
        }

        return events;
    }

    /// <summary>The event numbered <paramref name="sequence"/>, unless it is a gap left by a restore (a slot empty or holding an older event).</summary>
    private void AddIfKept(List<LogEvent> events, long sequence)
    {
        LogEvent? e = _ring[sequence % _ring.Length];
        if (e is not null && e.Sequence == sequence)
        {
            events.Add(e);
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
