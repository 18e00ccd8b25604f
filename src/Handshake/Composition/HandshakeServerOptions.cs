namespace Handshake.Composition;

public sealed class HandshakeServerOptions
{
    /// <summary>The HTTP port on 127.0.0.1; 0 picks a free one (tests), the CLI defaults to 4566.</summary>
    public int Port { get; init; }

    /// <summary>Where the store's database and the TLS certificate live. Defaults to ./.handshake.</summary>
    public string DataDirectory { get; init; } = ".handshake";

    /// <summary>Keep the store in memory: nothing survives a restart.</summary>
    public bool InMemory { get; init; }

    /// <summary>Also serve HTTPS with a self-signed certificate kept in the data directory.</summary>
    public bool Tls { get; init; }

    /// <summary>The HTTPS port on 127.0.0.1 when <see cref="Tls"/> is set; 0 picks a free one.</summary>
    public int TlsPort { get; init; }

    /// <summary>
    /// How long a kept-alive connection may sit idle before the server closes it (Kestrel's KeepAliveTimeout,
    /// default 130 s). Shorter than a frozen environment's gap, it reproduces Lambda's stale-socket resets.
    /// </summary>
    public TimeSpan? StoreIdleTimeout { get; init; }

    /// <summary>A project file (handshake.json) whose functions the host declares at start; null for none.</summary>
    public string? ProjectFile { get; init; }

    /// <summary>
    /// The store endpoint the function host gives its environments (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_DYNAMODB),
    /// computed once the server listens. Null: this server's HTTP endpoint. `handshake bench` points functions at the
    /// HTTPS listener (--tls) or at an emulated link in front of the store (--link-rtt, --freeze-gap).
    /// </summary>
    public Func<HandshakeServer, string>? FunctionStoreEndpoint { get; init; }

    /// <summary>The address to listen on: 127.0.0.1 unless the user asks (--host), for the store and admin routes alike.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Off: any AWS4 signature is accepted (DynamoDB Local's behaviour). Strict: SigV4 is verified.</summary>
    public Handshake.Network.SigV4.AuthMode Auth { get; init; }

    /// <summary>Access key id to secret: the keys accepted under strict auth, besides the function environments' own.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The function host's account concurrency limit (<c>FunctionHostOptions.AccountConcurrencyLimit</c>); null for
    /// its default (8 per core, at least 4). Tests set it small to fill the account with few environments.
    /// </summary>
    public int? AccountConcurrencyLimit { get; init; }

    /// <summary>Synchronous invocations a function may have waiting before 429 (<c>FunctionHostOptions.MaxQueuedInvocationsPerFunction</c>); null for its default.</summary>
    public int? MaxQueuedInvocationsPerFunction { get; init; }

    /// <summary>How long an environment may stay idle before it is shut down (<c>FunctionHostOptions.IdleTimeout</c>); null for its default.</summary>
    public TimeSpan? EnvironmentIdleTimeout { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "000000000000";

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Told, one line each, what a stop (<see cref="HandshakeServer.DisposeAsync"/>) cut short: requests still in
    /// progress when the drain ran out. `up` prints them on stderr; null says nothing.
    /// </summary>
    public Action<string>? StopLog { get; init; }
}
