namespace Handshake.Dynamo.Storage;

/// <summary>
/// Several commands that one request makes, applied in order as one: one savepoint, one commit. UpdateTable uses it so
/// that a stream or index change and the billing, throughput, protection or class change beside it are never half
/// done, not even by a kill -9 between them. Each step checks what it needs before its first write; a later step's
/// failure rolls back the earlier steps' rows with the savepoint, and (a SQLite error being the only way a later step
/// fails once the checks have passed) the writer reloads the catalog, which undoes their changes in memory.
/// </summary>
internal sealed class CompositeWriteCommand(params WriteCommand[] steps) : WriteCommand
{
    public override bool NeedsSavepoint => true;

    public override void Apply(WriteContext context)
    {
        foreach (var step in steps) step.Apply(context);
    }

    public override void Committed(WriteContext context)
    {
        foreach (var step in steps) step.Committed(context);
    }
}
