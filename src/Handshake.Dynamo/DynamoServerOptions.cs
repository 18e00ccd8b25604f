namespace Handshake.Dynamo;

/// <summary>Options for <see cref="DynamoServer"/>: the store alone on Kestrel, for tests and benchmarks.</summary>
public sealed class DynamoServerOptions
{
    /// <summary>Port on 127.0.0.1; 0 binds a free port, reported by <see cref="DynamoServer.Port"/>.</summary>
    public int Port { get; init; }

    public DynamoStoreOptions Store { get; init; } = new() { InMemory = true };

    /// <summary>Kestrel's idle keep-alive timeout (its default is 130 s); the stale-socket experiment shortens it.</summary>
    public TimeSpan? KeepAliveTimeout { get; init; }
}
