using System.Collections.Concurrent;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Group commit. Every write in the store goes through this one queue, and one writer at a time takes all the
/// commands waiting (up to <see cref="MaxBatch"/>), applies them in one transaction, commits once, and only then
/// completes each command. Under concurrency many writers share one commit; a lone writer pays one commit. A single
/// writer also serializes conditional writes, so a condition is evaluated against the latest committed state.
/// </summary>
/// <remarks>
/// There is no dedicated writer thread. The request that finds the writer idle becomes the writer: it commits the
/// batch on its own thread and goes on to answer, so a lone write crosses no thread at all (a writer loop costs two
/// hops per write: waking the loop, then waking the request). When more writes queued up meanwhile, a thread-pool
/// work item keeps committing until the queue is empty, and the next write to arrive becomes the writer again.
/// </remarks>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly ConcurrentQueue<WriteCommand> _queue = new();
    // Held by whoever is committing: at most one writer at a time; disposal takes it for good.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<WriteCommand> _batch = new(MaxBatch);
    private readonly WriteContext _context;
    private readonly Action _reloadCatalog;
    private bool _closed;
    private long _commits;

    /// <summary>Transactions committed so far: fewer than writes when writers share commits.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Commands queued and not yet taken by the writer.</summary>
    public int Pending => _queue.Count;

    public WriteQueue(WriteContext context, Action reloadCatalog)
    {
        _context = context;
        _reloadCatalog = reloadCatalog;
    }

    /// <summary>Queues a command and waits until it is durably committed (or failed).</summary>
    public Task ExecuteAsync(WriteCommand command)
    {
        // Queued under the gate, so that disposal (which closes it) drains every command queued before it closed.
        lock (_gate)
        {
            if (_closed) return Task.FromException(new ObjectDisposedException(nameof(DynamoStore)));
            _queue.Enqueue(command);
        }
        if (_writer.Wait(0))
        {
            CommitOnce();
            ReleaseOrHandOff();
        }
        return command.Completion;
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
        Interlocked.Increment(ref _commits);
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
            using var transaction = context.Connection.BeginTransaction();
            context.Transaction = transaction;
            foreach (var command in batch) ApplyOne(context, command);
            context.PersistCounters();
            transaction.Commit();
        }
        catch (Exception)
        {
            // The commit itself failed (disk full, I/O error): nothing in the batch is durable, so nothing may be
            // acknowledged, and in-memory metadata changed by the batch is rebuilt from the database.
            context.DiscardCounters();
            foreach (var command in batch)
                command.Failure ??= new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error");
            _reloadCatalog();
            context.Transaction = null;
            foreach (var command in batch) command.Complete();
            return;
        }
        context.Transaction = null;
        context.PublishCounters();
        foreach (var command in batch)
        {
            if (command.Failure is null) command.Committed(context);
            command.Complete();
        }
    }

    private static void ApplyOne(WriteContext context, WriteCommand command)
    {
        bool savepoint = command.NeedsSavepoint;
        if (savepoint) SqliteDatabase.ExecuteIn(context, "SAVEPOINT command");
        try
        {
            command.Apply(context);
            if (savepoint) SqliteDatabase.ExecuteIn(context, "RELEASE command");
            context.CommandSucceeded();
        }
        catch (Exception e)
        {
            if (savepoint) SqliteDatabase.ExecuteIn(context, "ROLLBACK TO command; RELEASE command");
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
