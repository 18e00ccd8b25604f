using System.Threading.Channels;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Group commit. Every write in the store goes through this one queue to one writer loop, which takes all the
/// commands waiting (up to <see cref="MaxBatch"/>), applies them in one transaction, commits once, and only then
/// completes each command. Under concurrency many writers share one commit; a lone writer pays one commit. A single
/// writer also serializes conditional writes, so a condition is evaluated against the latest committed state.
/// </summary>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private const int QueueCapacity = 8192;

    private readonly Channel<WriteCommand> _channel = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly WriteContext _context;
    private readonly Action _reloadCatalog;
    private readonly Task _loop;
    private long _commits;

    /// <summary>Transactions committed so far: fewer than writes when writers share commits.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Commands queued and not yet taken by the writer.</summary>
    public int Pending => _channel.Reader.Count;

    public WriteQueue(WriteContext context, Action reloadCatalog)
    {
        _context = context;
        _reloadCatalog = reloadCatalog;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a command and waits until it is durably committed (or failed).</summary>
    public async Task ExecuteAsync(WriteCommand command)
    {
        if (!_channel.Writer.TryWrite(command))
        {
            try
            {
                await _channel.Writer.WriteAsync(command).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(DynamoStore));
            }
        }
        await command.Completion.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteCommand>(MaxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var command)) batch.Add(command);
            if (batch.Count == 0) continue;
            CommitBatch(batch);
            Interlocked.Increment(ref _commits);
        }
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
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _context.Dispose();
    }
}
