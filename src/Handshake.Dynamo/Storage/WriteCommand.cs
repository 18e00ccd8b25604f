namespace Handshake.Dynamo.Storage;

/// <summary>
/// One unit of work for the writer thread. <see cref="Apply"/> runs inside the shared group-commit transaction; it
/// must check everything (conditions, table existence) before its first write, and throw a DynamoException to fail
/// without writing. The request that queued it awaits <see cref="Completion"/>, which completes only after the
/// transaction has committed, so an acknowledged write is a durable one.
/// </summary>
internal abstract class WriteCommand
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
