using System.Collections.Concurrent;
using System.Diagnostics;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Group commit. Every write in the store goes through this one queue, and one writer at a time takes all the
/// commands waiting (up to <see cref="MaxBatch"/>), applies them in one transaction, commits once, and only then
/// completes each command. Under concurrency many writers share one commit; a lone writer pays one commit. A single
/// writer also serializes conditional writes, so a condition is evaluated against the latest committed state.
/// </summary>
/// <remarks>
/// There is no dedicated writer thread. A lone write (none other arrived within <see cref="ConcurrentArrivalGap"/>)
/// that finds the writer idle commits on its own thread and goes on to answer, so it crosses no thread at all (a
/// writer loop costs two hops per write: waking the loop, then waking the request). When more writes queued up
/// meanwhile, a thread-pool work item keeps committing until the queue is empty.
/// Under concurrent load, committing each write where it arrives gives batches of one or two: on a small machine only
/// as many requests reach the queue at once as there are threads running, and each commit pays BEGIN, COMMIT, the
/// counter row, the WAL's locks and page writes (measured: 1.3 writes per commit at 32 connections on 2 cores). So a
/// write that arrives right after another one queues a drain on the thread pool instead; the requests already
/// dispatched to the pool run first and join the batch (measured: about 6 writes per commit, and a quarter less
/// server CPU per write). A lone write never waits for that.
/// </remarks>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 512;

    /// <summary>
    /// Writes that arrive closer together than this are treated as concurrent load and committed by a drain on the
    /// thread pool. One client waiting for each answer over loopback sends at most one write per ~80 us, so it keeps
    /// the inline commit.
    /// </summary>
    private static readonly long ConcurrentArrivalGap = Stopwatch.Frequency * 60 / 1_000_000;

    /// <summary>How long after two writes last overlapped the arrival gap still signals concurrent load (1 ms).</summary>
    private static readonly long OverlapWindow = Stopwatch.Frequency / 1_000;

    private readonly ConcurrentQueue<WriteCommand> _queue = new();
    // Held by whoever is committing: at most one writer at a time; disposal takes it for good.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<WriteCommand> _batch = new(MaxBatch);
    private readonly WriteContext _context;
    private readonly Action _reloadCatalog;
    private bool _closed;
    private long _commits;
    private long _lastArrival;
    // 1 while a drain is queued on the thread pool and has not started: later writes join it instead of queuing more.
    private int _drainScheduled;
    // When a write last arrived while another one was still queued or being committed.
    private long _lastOverlap = long.MinValue / 2;

    /// <summary>Transactions committed so far: fewer than writes when writers share commits.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Commands queued and not yet taken by the writer.</summary>
    public int Pending => _queue.Count;

    public WriteQueue(WriteContext context, Action reloadCatalog)
    {
        _context = context;
        _reloadCatalog = reloadCatalog;
    }

    /// <summary>
    /// Set by an event loop (<see cref="DynamoEventLoop"/>) on its own thread while it reads the requests that one wait
    /// for events brought: their writes only queue, and the loop commits them together afterwards
    /// (<see cref="CommitDeferred"/>), so the requests a loop turn reads share one commit with no thread hand-off.
    /// </summary>
    [ThreadStatic]
    internal static bool DeferCommits;

    /// <summary>Queues a command and waits until it is durably committed (or failed).</summary>
    public Task ExecuteAsync(WriteCommand command)
    {
        // Queued under the gate, so that disposal (which closes it) drains every command queued before it closed.
        lock (_gate)
        {
            if (_closed) return Task.FromException(new ObjectDisposedException(nameof(DynamoStore)));
            _queue.Enqueue(command);
        }
        if (DeferCommits) return command.Completion;
        long now = Stopwatch.GetTimestamp();
        long previous = Interlocked.Exchange(ref _lastArrival, now);
        if (_writer.CurrentCount == 0 || Volatile.Read(ref _drainScheduled) != 0)
        {
            Volatile.Write(ref _lastOverlap, now);
        }

        // One client waiting for each answer sends its next write as soon as the last one is answered, often within the
        // gap (measured at 1 connection: writes alternated between the drain and the inline commit, p50 0.070-0.075 ms
        // against 0.047-0.067 with every write inline). Its writes never overlap, so the gap counts only while writes
        // have recently arrived with another one still queued or committing.
        if (now - previous < ConcurrentArrivalGap && now - Volatile.Read(ref _lastOverlap) < OverlapWindow)
        {
            // Behind the work items already queued: the requests they carry reach this queue before the drain runs.
            if (Interlocked.CompareExchange(ref _drainScheduled, 1, 0) == 0)
                ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.ScheduledDrain(), this, preferLocal: false);
        }
        else if (_writer.Wait(0))
        {
            CommitOnce();
            ReleaseOrHandOff();
        }
        return command.Completion;
    }

    /// <summary>
    /// Commits what the calling event loop deferred, on its thread. If another writer is at work, that writer takes the
    /// queue with it (its hand-off drains on the thread pool) and the commands complete there.
    /// </summary>
    public void CommitDeferred()
    {
        if (!_queue.IsEmpty && _writer.Wait(0)) Drain();
    }

    // A writer already at work (inline or handed off) takes the queue with it; otherwise this drain becomes the writer.
    private void ScheduledDrain()
    {
        Volatile.Write(ref _drainScheduled, 0);
        if (_writer.Wait(0)) Drain();
    }

    /// <summary>Takes the commands waiting (up to <see cref="MaxBatch"/>) and commits them; the caller is the writer.</summary>
    private void CommitOnce()
    {
        var batch = _batch;
        batch.Clear();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var command)) batch.Add(command);
        if (batch.Count == 0) return;
        CommitBatch(batch);
        batch.Clear();
    }

    // The writer's last step: commands that queued during its commit are committed on the thread pool (the writer's
    // own request answers meanwhile); otherwise it stands down, unless one slipped in between the check and the release.
    private void ReleaseOrHandOff()
    {
        while (true)
        {
            if (!_queue.IsEmpty)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.Drain(), this, preferLocal: false);
                return;
            }
            _writer.Release();
            if (_queue.IsEmpty || !_writer.Wait(0)) return;
        }
    }

    private void Drain()
    {
        while (!_queue.IsEmpty) CommitOnce();
        ReleaseOrHandOff();
    }

    private void CommitBatch(List<WriteCommand> batch)
    {
        var context = _context;
        try
        {
            context.Begin();
            foreach (var command in batch) ApplyOne(context, command);
            context.PersistCounters();
            context.Commit();
        }
        catch (Exception)
        {
            // The commit itself failed (disk full, I/O error): nothing in the batch is durable, so nothing may be
            // acknowledged, and in-memory metadata changed by the batch is rebuilt from the database.
            RollBack(context);
            context.CatalogStale = false;
            context.DiscardCounters();
            context.StreamRecords.TakeAppended();
            foreach (var command in batch)
                command.Failure ??= new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error");
            _reloadCatalog();
            Interlocked.Increment(ref _commits);
            foreach (var command in batch) command.Complete();
            return;
        }
        // Counted before any command completes: completions run their waiters' continuations on this thread.
        Interlocked.Increment(ref _commits);
        context.PublishCounters();
        if (context.StreamRecords.TakeAppended()) context.Streams.Appended.Publish();
        if (context.CatalogStale)
        {
            // A command failed halfway (see WriteContext.CatalogStale): the catalog is read again from what was just
            // committed, after the batch's in-memory effects and before any waiter is answered.
            context.CatalogStale = false;
            foreach (var command in batch)
            {
                if (command.Failure is null) command.Committed(context);
            }
            _reloadCatalog();
            foreach (var command in batch) command.Complete();
            return;
        }
        foreach (var command in batch)
        {
            if (command.Failure is null) command.Committed(context);
            command.Complete();
        }
    }

    private static void RollBack(WriteContext context)
    {
        try
        {
            context.Rollback();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // Nothing more to undo here; the next BEGIN reports a connection that is still stuck in a transaction.
        }
    }

    private static void ApplyOne(WriteContext context, WriteCommand command)
    {
        bool savepoint = command.NeedsSavepoint;
        if (savepoint) context.Savepoint();
        try
        {
            command.Apply(context);
            if (savepoint) context.ReleaseSavepoint();
            context.CommandSucceeded();
        }
        catch (Exception e)
        {
            if (savepoint) context.RollbackSavepoint();
            if (e is not DynamoException) context.CatalogStale = true;
            context.CommandFailed();
            // A failed SQLite statement undoes itself, and multi-statement commands use a savepoint, so a failed
            // command never leaves a partial write behind and the rest of the batch can still commit.
            command.Failure = e is DynamoException ? e : new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error");
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) _closed = true;
        // Once the writer is free, nothing else can take it: commit whatever was queued before closing, then stop.
        await _writer.WaitAsync().ConfigureAwait(false);
        while (!_queue.IsEmpty) CommitOnce();
        _context.Dispose();
    }
}
