using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// A published version: an immutable snapshot of the function's code and configuration, and its own idle environments.
/// Its environments live in the function's pool with $LATEST's, so that the function's reserved concurrency (and the
/// account's) counts them together, as Lambda counts every version of a function against its reservation.
/// </summary>
internal sealed class PublishedVersion(FunctionDefinition definition)
{
    public FunctionDefinition Definition { get; } = definition;

    /// <summary>Frozen environments of this version, most recently used on top (as the pool's $LATEST stack).</summary>
    public Stack<ExecutionEnvironment> Idle { get; } = new();

    /// <summary>Reset environments of this version (see the pool's reset stack).</summary>
    public Stack<ExecutionEnvironment> Reset { get; } = new();
}
