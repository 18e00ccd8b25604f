namespace Handshake.Experiment;

/// <summary>What `handshake bench` (and `handshake demo`) run. Validated by the command before it gets here.</summary>
internal sealed record BenchOptions
{
    public required IReadOnlyList<BenchMode> Modes { get; init; }

    public long Invocations { get; init; } = 10_000;

    public int Concurrency { get; init; } = 4;

    /// <summary>
    /// At most this many environments (the function's reserved concurrency), never more than <see cref="Concurrency"/>.
    /// One per core by default: with fewer environments than invocations in flight, each environment finds the next
    /// invocation queued when it calls `next` and gets it at once, without a freeze and a thaw (Lambda only freezes
    /// an idle environment), which on 2 cores runs the same load with about a third less CPU than one per invocation.
    /// </summary>
    public int Environments { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public int ReservedConcurrency => Math.Min(Environments, Concurrency);

    /// <summary>Store traffic over the HTTPS listener (real TLS handshakes).</summary>
    public bool Tls { get; init; }

    /// <summary>Route store traffic through the emulated link with this round-trip time (null: direct).</summary>
    public TimeSpan? LinkRtt { get; init; }

    /// <summary>Pause between bursts, with every environment frozen (null: no pause).</summary>
    public TimeSpan? FreezeGap { get; init; }

    /// <summary>How many freeze gaps split the invocations (bursts = gaps + 1).</summary>
    public int Gaps { get; init; } = 1;

    /// <summary>The store's keep-alive idle timeout (Kestrel's KeepAliveTimeout; default 130 s).</summary>
    public TimeSpan? StoreIdleTimeout { get; init; }

    /// <summary>A running Handshake endpoint to use instead of an in-process one.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>What the bench signs its DynamoDB and Lambda requests with (an --endpoint may be `up --auth strict`).</summary>
    public Commands.ClientCredentials Credentials { get; init; } = Commands.ClientCredentials.FromEnvironment();

    /// <summary>Where the in-process store keeps its database (null: a fresh temporary directory, removed afterwards).</summary>
    public string? DataDirectory { get; init; }

    public string? JsonPath { get; init; }

    public string? HtmlPath { get; init; }

    /// <summary>Skip a mode whose package cannot be prepared (demo) instead of failing the run (bench).</summary>
    public bool SkipUnavailableModes { get; init; }

    /// <summary>Longest wait for the NativeAOT publish (demo keeps it short; bench waits for it).</summary>
    public TimeSpan? AotPublishTimeout { get; init; }

    /// <summary>Invoke through FunctionHost.InvokeAsync instead of the Invoke API over loopback HTTP (in-process store only).</summary>
    public bool InvokeInProcess { get; init; }

    public bool InProcess => Endpoint is null;
}
