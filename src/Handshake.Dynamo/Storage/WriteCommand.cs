namespace Handshake.Dynamo.Storage;

/// <summary>
/// One unit of work for the writer thread. <see cref="Apply"/> runs inside the shared group-commit transaction; it
/// must check everything (conditions, table existence) before its first write, and throw a DynamoException to fail
/// without writing. The request that queued it awaits <see cref="Completion"/>, which completes only after the
/// transaction has committed, so an acknowledged write is a durable one.
/// </summary>
internal abstract class WriteCommand
{
    // Continuations run where the commit completes them: the writer answers each waiting request in turn (response
    // write, then back to Kestrel's read of the next request) instead of queuing one thread-pool item per write
    // (measured at 32 connections on 2 cores: 0.57-0.61x the bare endpoint against 0.54-0.58x). Nothing awaiting a
    // write blocks synchronously, so the writer never waits on its own continuations; a write queued from one of them
    // finds the writer held and is committed by the hand-off after this batch.
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.None);

    public Task Completion => _completion.Task;

    /// <summary>
    /// Commands that write more than one row run inside a savepoint, so a failure halfway leaves nothing behind.
    /// A single-statement write is atomic by itself and skips the savepoint's cost.
    /// </summary>
    public virtual bool NeedsSavepoint => false;

    public abstract void Apply(WriteContext context);

    /// <summary>Runs on the writer thread after the commit, before completion: publish in-memory effects here.</summary>
    public virtual void Committed(WriteContext context)
    {
    }

    internal Exception? Failure { get; set; }

    internal void Complete()
    {
        if (Failure is null) _completion.TrySetResult();
        else _completion.TrySetException(Failure);
    }
}
