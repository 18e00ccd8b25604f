using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// Holds the writer inside its transaction until released, so later writes queue behind it and are committed
/// together in one batch (GroupCommitTests, StreamAtomicityTests).
/// </summary>
internal sealed class GateCommand : WriteCommand
{
    public readonly TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public readonly ManualResetEventSlim Release = new();

    public override void Apply(WriteContext context)
    {
        Entered.TrySetResult();
        Release.Wait(TimeSpan.FromSeconds(30));
    }
}
