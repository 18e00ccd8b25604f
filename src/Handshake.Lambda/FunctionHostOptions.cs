namespace Handshake.Lambda;

/// <summary>Settings of a <see cref="FunctionHost"/>. Every limit has Lambda's value or a value that suits a small machine.</summary>
public sealed class FunctionHostOptions
{
    /// <summary>The store's endpoint, exported to functions as AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_DYNAMODB.</summary>
    public string? StoreEndpoint { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "000000000000";

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where zipped code is unpacked. Null: a temporary directory removed when the host is disposed.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Execution environments across all functions (Lambda's account concurrency). Each is a process, so the default
    /// is 8 per core (16 on a 2-core machine) rather than Lambda's 1,000.
    /// </summary>
    public int AccountConcurrencyLimit { get; init; } = DefaultAccountConcurrencyLimit;

    /// <summary>The default <see cref="AccountConcurrencyLimit"/>: 8 per core, at least 4.</summary>
    public static int DefaultAccountConcurrencyLimit => Math.Max(4, Environment.ProcessorCount * 8);

    /// <summary>
    /// Synchronous invocations that may wait per function when every environment it may have is busy. Beyond this
    /// the invocation is throttled with 429. Zero gives Lambda's behaviour: throttle at once. An invocation made by an
    /// execution environment (signed with its own access key) never waits, whatever this says (see <see cref="Invocation.Authorization"/>).
    /// </summary>
    public int MaxQueuedInvocationsPerFunction { get; init; } = 1000;

    /// <summary>Environments idle longer than this are shut down (10 minutes, as measured on Lambda).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Init (process start until the runtime's first call to next) is limited to 10 s, as on Lambda.</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Delays before the two retries of an asynchronous invocation that failed (Lambda: about 1 and 2 minutes).</summary>
    public IReadOnlyList<TimeSpan> EventRetryDelays { get; init; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];

    /// <summary>Time the runtime gets between SIGTERM and SIGKILL when an environment is shut down.</summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How often a running environment's process-group resident memory is compared with the function's MemorySize.
    /// Above it the environment is killed and the invocation answered Runtime.OutOfMemory. A group can overshoot
    /// the limit for up to one interval.
    /// </summary>
    public TimeSpan MemoryCheckInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a Runtime API client may stall once it has started a request's head (Kestrel's RequestHeadersTimeout,
    /// 30 s), or in the middle of a body the host skips (a refused request's): then the connection is closed, rather
    /// than holding its socket and buffer until the environment ends. A connection that has sent nothing of a request
    /// is not timed: a runtime's keep-alive connection waits out invocations of up to 900 s between requests.
    /// </summary>
    public TimeSpan RuntimeApiHeadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Freeze environments (SIGSTOP) between invocations, as Lambda does. Off only for diagnosis.</summary>
    public bool FreezeBetweenInvocations { get; init; } = true;

    /// <summary>The Node.js bootstrap run for `nodejs` functions. Null: runtimes/node/bootstrap.js next to the app or in the repository.</summary>
    public string? NodeBootstrapPath { get; init; }

    /// <summary>
    /// The most a function may stream to an InvokeWithResponseStream caller: 200 MB, Lambda's current limit (it was
    /// 20 MB). Beyond it the invocation fails with Function.ResponseSizeTooLarge. Invoke still buffers a streamed
    /// response to 6 MB.
    /// </summary>
    public long MaxStreamedResponseBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>
    /// Log events kept per function (each log group's newest): in memory, and in the data directory's logs.db, which
    /// the writer prunes to the same count.
    /// </summary>
    public int LogEventsPerFunction { get; init; } = 10_000;

    /// <summary>
    /// New TCP connections opened so far with an access key (from the store's connection accounting). When set,
    /// REPORT lines carry `New Connections: N`, the delta across the invocation.
    /// </summary>
    public Func<string, long>? NewConnectionsByAccessKey { get; init; }

    /// <summary>
    /// The store's streams, read in-process by event source mappings. Null: the host runs without a store, and no
    /// stream ARN exists for CreateEventSourceMapping.
    /// </summary>
    public Handshake.Dynamo.StreamFeed? Streams { get; init; }

    /// <summary>
    /// The first wait before an event source mapping retries a failed or throttled batch; it doubles up to
    /// <see cref="EventSourceRetryMaxDelay"/>. Lambda documents no figure; 1 s suits a local loop.
    /// </summary>
    public TimeSpan EventSourceRetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries of a batch (see <see cref="EventSourceRetryBaseDelay"/>).</summary>
    public TimeSpan EventSourceRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
