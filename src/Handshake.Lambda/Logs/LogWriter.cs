using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.Logs;

/// <summary>
/// Copies log events into <see cref="LogDatabase"/> off the invocation path: <see cref="TryWrite"/> puts an event in a
/// bounded channel and returns at once; one background thread takes what has gathered every
/// <see cref="FlushInterval"/> and commits it in one transaction (pruning each function to its newest events in the
/// same one). An invocation never waits for a commit: when the channel is full (a disk slower than the functions'
/// printing) the event is dropped from the file, counted and warned about, and stays in the in-memory log; when a
/// commit fails (disk full, file locked) that batch is dropped the same way and the writer carries on.
/// </summary>
internal sealed partial class LogWriter : IDisposable
{
    /// <summary>
    /// One change for logs.db: an event to insert, or (Event null) a deleted group's rows below <c>DeleteBefore</c> to
    /// remove, or (Event null, <c>Stream</c> given) only that stream's rows below it (DeleteLogStream), or (Event null,
    /// <c>ExpiredBefore</c> given, in ticks) the rows below <c>DeleteBefore</c> stamped before it (a retention's expiry),
    /// with what the streams it took events from keep of them (<c>ExpiredStreams</c>).
    /// </summary>
    internal readonly record struct Change(string Function, LogEvent? Event, long DeleteBefore = 0, string? Stream = null, long? ExpiredBefore = null,
        IReadOnlyDictionary<string, FormerStreamEvents>? ExpiredStreams = null);

    /// <summary>How long events gather before a commit: a few commits a second, and what kill -9 may lose.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>Events waiting for the writer at most; beyond it new events are not written to the file.</summary>
    public const int Capacity = 16_384;

    /// <summary>Events per transaction at most, so that a backlog is committed in steps of bounded size.</summary>
    private const int MaxBatch = 4096;

    // FullMode Wait, written only with TryWrite: a full channel refuses the event at once (never waits), and the
    // refusal is seen, so it is counted; DropWrite would drop it silently.
    private readonly Channel<Change> _channel =
        Channel.CreateBounded<Change>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ManualResetEventSlim _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LogDatabase _database;
    private readonly int _eventsPerFunction;
    private readonly ILogger _logger;
    private long _dropped;
    private long _droppedWarned;
    private bool _failing;

    public LogWriter(LogDatabase database, int eventsPerFunction, ILogger logger)
    {
        _database = database;
        _eventsPerFunction = eventsPerFunction;
        _logger = logger;
        // A thread of its own: the commits block on the disk, which the thread pool's threads (the invocations') must not.
        new Thread(Run) { IsBackground = true, Name = "handshake-log-writer" }.Start();
    }

    /// <summary>Events not written to the file (channel full, or their commit failed) since the host started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands an event to the writer; never blocks. False (and counted) when the channel is full or closed.</summary>
    public bool TryWrite(string function, LogEvent e)
    {
        if (_channel.Writer.TryWrite(new Change(function, e)))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        LambdaMetrics.LogEventsNotWritten(function, 1);
        return false;
    }

    /// <summary>
    /// Hands a DeleteLogGroup to the writer: the function's rows numbered below <paramref name="before"/> go, and its
    /// group row. It waits for room (a deletion must not be dropped as an event may be), at most a second; past that
    /// (a disk far behind) the rows stay and the group comes back with them after a restart, which is warned about.
    /// </summary>
    public void TryDelete(string function, long before)
    {
        if (!TryQueueDeletion(new Change(function, null, before)))
        {
            LogDeleteNotWritten(_logger, function, _database.FilePath);
        }
    }

    /// <summary>
    /// Hands a DeleteLogStream to the writer: the function's (or group's) rows of <paramref name="stream"/> numbered
    /// below <paramref name="before"/> go. Waits for room as <see cref="TryDelete"/> does, and is warned about the same way.
    /// </summary>
    public void TryDeleteStream(string function, string stream, long before)
    {
        if (!TryQueueDeletion(new Change(function, null, before, stream)))
        {
            LogStreamDeleteNotWritten(_logger, stream, function, _database.FilePath);
        }
    }

    /// <summary>
    /// Hands a retention's expiry to the writer: the function's (or group's) rows numbered below <paramref name="before"/>
    /// and stamped before <paramref name="cutoff"/> go, and <paramref name="streams"/> (the streams they were in, with
    /// the times the log keeps of their former events, the expired ones among them) are kept. Waits for room as <see cref="TryDelete"/> does: an expiry
    /// not written would bring its events back after a restart (where the start's expiry takes them again while the
    /// retention is set), which is warned about.
    /// </summary>
    public void TryExpire(string function, DateTimeOffset cutoff, long before, IReadOnlyDictionary<string, FormerStreamEvents> streams)
    {
        if (!TryQueueDeletion(new Change(function, null, before, ExpiredBefore: cutoff.UtcTicks, ExpiredStreams: streams)))
        {
            LogExpiryNotWritten(_logger, function, _database.FilePath);
        }
    }

    private bool TryQueueDeletion(Change deletion)
    {
        if (_channel.Writer.TryWrite(deletion))
        {
            return true;
        }

        // Full: wait for room, at most a second (cancelled then, so that it is not queued later after all).
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(1));
        try
        {
            _channel.Writer.WriteAsync(deletion, timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // Not queued: a disk far behind, or the host stopping.
            return false;
        }
    }

    /// <summary>
    /// Commits what is queued and stops, waiting at most <paramref name="timeout"/>: a shutdown is not held up by a
    /// slow disk (what is still queued then is lost, as with kill -9).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _channel.Writer.TryComplete();
        _stopping.Set();
        try
        {
            await _stopped.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopIncomplete(_logger, _database.FilePath, timeout.TotalSeconds);
        }
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _stopping.Set();
    }

    private void Run()
    {
        List<Change> batch = new(MaxBatch);
        ChannelReader<Change> reader = _channel.Reader;
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                // Let a burst gather (an invocation's START, output, END and REPORT) rather than commit line by line.
                _stopping.Wait(FlushInterval);
                while (reader.TryPeek(out _))
                {
                    while (batch.Count < MaxBatch && reader.TryRead(out Change item))
                    {
                        batch.Add(item);
                    }

                    Commit(batch);
                    batch.Clear();
                }

                WarnOfDrops();
            }
        }
        finally
        {
            // Should the thread end early, later events are counted as dropped rather than fill the channel.
            _channel.Writer.TryComplete();
            _database.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void Commit(List<Change> batch)
    {
        try
        {
            _database.Write(batch, _eventsPerFunction);
            _failing = false;
        }
        catch (SqliteException e)
        {
            int events = batch.Count(static item => item.Event is not null);
            Interlocked.Add(ref _dropped, events);
            foreach (IGrouping<string, Change> function in batch.Where(static item => item.Event is not null).GroupBy(static item => item.Function))
            {
                LambdaMetrics.LogEventsNotWritten(function.Key, function.Count());
            }

            _droppedWarned += events;
            if (!_failing)
            {
                // Once per stretch of failures: a full disk would otherwise warn a few times a second.
                _failing = true;
                LogWriteFailed(_logger, events, _database.FilePath, e.Message);
            }
        }
    }

    /// <summary>One warning per stretch of events the full channel refused (not one per event), with the running total.</summary>
    private void WarnOfDrops()
    {
        long dropped = Dropped;
        if (dropped != _droppedWarned)
        {
            LogDropped(_logger, dropped - _droppedWarned, dropped, _database.FilePath);
            _droppedWarned = dropped;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} function log events could not be committed to {File}: {Reason}. They remain in memory until the host stops; later failures are counted, not logged, until a commit succeeds")]
    private static partial void LogWriteFailed(ILogger logger, int count, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} function log events were not written to {File} ({Total} since start): the functions print faster than the disk takes them. They remain in memory until the host stops")]
    private static partial void LogDropped(ILogger logger, long count, long total, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deleted log group of {Function} could not be queued for deletion from {File}: its events come back after a restart")]
    private static partial void LogDeleteNotWritten(ILogger logger, string function, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deleted log stream {Stream} of {Function} could not be queued for deletion from {File}: its events come back after a restart")]
    private static partial void LogStreamDeleteNotWritten(ILogger logger, string stream, string function, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The expired log events of {Function} could not be queued for deletion from {File}: they come back after a restart unless the retention still expires them")]
    private static partial void LogExpiryNotWritten(ILogger logger, string function, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The function log writer did not finish writing to {File} within {Seconds} s of shutdown: the last log lines are not kept")]
    private static partial void LogStopIncomplete(ILogger logger, string file, double seconds);
}
