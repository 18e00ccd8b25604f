using System.Collections.Concurrent;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;
using Handshake.Lambda.Logs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Handshake.Lambda;

/// <summary>
/// The function host: the registry of functions, their execution environments (child process groups with Lambda's
/// lifecycle), synchronous and asynchronous invocations, and the functions' logs. The Invoke and control-plane APIs
/// (<see cref="InvokeApi.LambdaHttpEndpoint"/>) are a thin layer over it.
/// </summary>
public sealed partial class FunctionHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, EnvironmentPool> _functions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExecutionEnvironment> _byAccessKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ExecutionEnvironment, byte> _started = new();
    private readonly ConcurrentDictionary<Task, byte> _eventInvocations = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary><see cref="_stopping"/>'s token, readable after it is disposed (see DeliverEventAsync).</summary>
    private readonly CancellationToken _stoppingToken;
    private readonly OrphanGuard _guard;
    private readonly HostCgroup? _cgroup;
    private readonly SocketTransportFactory _transport;
    private readonly ITimer _reaper;
    private readonly ITimer _retentionSweep;
    private readonly ILogger _logger;
    private readonly Persistence.TemporaryDataDirectory? _temporaryDataDirectory;
    private int _accountSlotsInUse;
    private long _waiterTickets;
    private int _peakAccountSlots;
    private int _disposed;

    public FunctionHost(FunctionHostOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, launcher: null)
    {
    }

    internal FunctionHost(FunctionHostOptions options, ILoggerFactory? loggerFactory, IProcessLauncher? launcher)
    {
        _stoppingToken = _stopping.Token;
        Options = options;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = LoggerFactory.CreateLogger("Handshake.Lambda.FunctionHost");
        // Environments in cgroups where the machine allows it (root, a writable cgroupfs); else process groups only.
        _cgroup = launcher is null ? HostCgroup.TryCreate() : null;
        _guard = new OrphanGuard(_cgroup);
        Launcher = launcher ?? new ProcessGroupLauncher(_guard, _cgroup) { ShutdownGracePeriod = options.ShutdownGracePeriod };
        ProcessContainment = _cgroup is null
            ? "process groups (no writable cgroup: a process that leaves its environment's process group escapes freezing, killing and the memory check)"
            : $"process groups and a cgroup per environment (cgroup {_cgroup.Version})";
        LogProcessContainment(_logger, ProcessContainment, _cgroup?.Path ?? "none");
        // The Runtime API handlers never block (they complete or park a task), so Kestrel may run them and write their
        // answers on the socket's completion thread: two thread-pool hops less per Runtime API exchange.
        _transport = new SocketTransportFactory(
            Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = true }), LoggerFactory);
        if (options.DataDirectory is null)
        {
            _temporaryDataDirectory = Persistence.TemporaryDataDirectory.Create(Path.GetTempPath());
        }

        DataDirectory = options.DataDirectory ?? _temporaryDataDirectory!.Path;
        StateDatabase = new Persistence.LambdaStateDatabase(DataDirectory);
        LogGroupSettings = new LogsApi.LogGroupSettings(StateDatabase);
        CreatedLogStreams = new LogsApi.CreatedLogStreams(StateDatabase);
        // Without a data directory (`up --in-memory`) the logs are as ephemeral as the rest: no logs.db in the temporary one.
        Logs = options.DataDirectory is null
            ? new FunctionLogStore(options.LogEventsPerFunction)
            : FunctionLogStore.Open(DataDirectory, options.LogEventsPerFunction, _logger);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(options.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _reaper = options.Clock.CreateTimer(_ => ReapIdle(), null, period, period);
        EventSourceMappings = new EventSources.EventSourceMappings(this, _stoppingToken);
        try
        {
            RestoreSavedState();
        }
        catch
        {
            // A host that does not start holds no file and runs no timer.
            _reaper.Dispose();
            _stopping.Cancel();
            _guard.Dispose();
            _cgroup?.Dispose();
            Logs.Abandon();
            StateDatabase.Dispose();
            _temporaryDataDirectory?.Dispose();
            throw;
        }

        // The log groups' retentions: at once (what expired while no host ran, now that the retentions are restored),
        // then on a coarse period; the reads expire their group's events themselves (LogsApi/LogRetention.cs).
        _retentionSweep = options.Clock.CreateTimer(_ => SweepLogRetention(), null, TimeSpan.Zero, LogsApi.LogRetention.SweepInterval);
    }

    /// <summary>Event source mappings: DynamoDB streams whose records invoke functions (see EventSources/).</summary>
    public EventSources.EventSourceMappings EventSourceMappings { get; }

    public FunctionHostOptions Options { get; }

    /// <summary>The functions' logs: in memory, and in logs.db in <see cref="DataDirectory"/> when there is one (see Logs/).</summary>
    public FunctionLogStore Logs { get; }

    /// <summary>
    /// Where zipped code is unpacked (functions/NAME/SHA256 under it) and the control plane's state is kept (lambda.db
    /// in it, and the functions' logs in logs.db). Under <c>handshake up</c> it is DATA/lambda.
    /// </summary>
    public string DataDirectory { get; }

    /// <summary>The control plane's state and the accepted Event invocations, kept across restarts (see Persistence/).</summary>
    internal Persistence.LambdaStateDatabase StateDatabase { get; }

    /// <summary>Log groups made or changed through the CloudWatch Logs API (retention, tags), kept in lambda.db (see LogsApi/LogGroupSettings.cs).</summary>
    internal LogsApi.LogGroupSettings LogGroupSettings { get; }

    /// <summary>Log streams made by CreateLogStream, kept in lambda.db (see LogsApi/CreatedLogStreams.cs).</summary>
    internal LogsApi.CreatedLogStreams CreatedLogStreams { get; }

    internal IProcessLauncher Launcher { get; }

    /// <summary>What holds each environment's processes: process groups, and a cgroup per environment when one is writable.</summary>
    public string ProcessContainment { get; }

    /// <summary>The host's cgroup directory, when environments are in cgroups (for tests).</summary>
    internal string? CgroupPath => _cgroup?.Path;

    internal IConnectionListenerFactory Transport => _transport;

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary>The functions, by name.</summary>
    public IReadOnlyList<FunctionDefinition> ListFunctions()
    {
        List<FunctionDefinition> functions = [];
        foreach (EnvironmentPool pool in _functions.Values)
        {
            functions.Add(pool.Definition);
        }

        functions.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return functions;
    }

    public bool TryGetFunction(string name, out FunctionDefinition definition)
    {
        if (_functions.TryGetValue(name, out EnvironmentPool? pool))
        {
            definition = pool.Definition;
            return true;
        }

        definition = null!;
        return false;
    }

    /// <summary>
    /// CreateFunction: the function (and its tags, and version 1 when <paramref name="publish"/>) is saved in the state
    /// database, in one write, before this returns.
    /// </summary>
    /// <returns>$LATEST's configuration, or version 1's when <paramref name="publish"/>.</returns>
    /// <exception cref="LambdaException">ResourceConflictException when the function exists; ServiceException when it cannot be saved.</exception>
    public FunctionDefinition CreateFunction(FunctionDefinition definition, IReadOnlyDictionary<string, string>? tags = null, bool publish = false)
    {
        EnvironmentPool pool = new(this, definition) { SavesConfiguration = true };
        FunctionDefinition created = pool.TryCreate(tags, publish, () => _functions.TryAdd(definition.Name, pool), () => _functions.TryRemove(new KeyValuePair<string, EnvironmentPool>(definition.Name, pool)))
            ?? throw LambdaException.Conflict($"Function already exist: {definition.Name}");

        // What an earlier start saved for a declared function of this name was removed with the new function's write.
        _savedForDeclared.TryRemove(definition.Name, out _);
        return created;
    }

    /// <summary>
    /// Replaces a function's definition; its environments are replaced after their current invocation. With
    /// <paramref name="publish"/>, a version of the new definition is published in the same write, and answered.
    /// </summary>
    public FunctionDefinition UpdateFunction(string name, Func<FunctionDefinition, FunctionDefinition> change, bool publish = false) =>
        Pool(name).Update(change, publish);

    /// <summary>DeleteFunction: its saved documents are removed before it leaves the registry (a failed write leaves it whole).</summary>
    public void DeleteFunction(string name)
    {
        if (!_functions.TryGetValue(name, out EnvironmentPool? pool))
        {
            throw LambdaException.FunctionNotFound(Arn(name));
        }

        pool.Delete();
        _functions.TryRemove(new KeyValuePair<string, EnvironmentPool>(name, pool));
    }

    /// <summary>The reserved concurrency of every function but <paramref name="except"/>.</summary>
    internal int ReservedConcurrencyTotal(string? except = null)
    {
        int total = 0;
        foreach (EnvironmentPool pool in _functions.Values)
        {
            FunctionDefinition definition = pool.Definition;
            if (definition.Name != except)
            {
                total += definition.ReservedConcurrency ?? 0;
            }
        }

        return total;
    }

    /// <summary>PutFunctionConcurrency's check of the account's unreserved concurrency and its change are one step.</summary>
    internal Lock ReservedConcurrencyGate { get; } = new();

    /// <summary>
    /// Declares the functions of a project file (handshake.json), replacing functions of the same name (a saved one
    /// made through the API is dropped). Declared functions are not saved: the file is read again at each start.
    /// </summary>
    public IReadOnlyList<FunctionDefinition> LoadProjectFile(string path)
    {
        IReadOnlyList<FunctionDefinition> functions = ProjectFile.Load(path, Options.Clock, Options.StoreEndpoint);
        foreach (FunctionDefinition function in functions)
        {
            Declare(function);
        }

        return functions;
    }

    /// <summary>A synchronous invocation (RequestResponse).</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException, or TooManyRequestsException when throttled.</exception>
    public Task<InvocationResult> InvokeAsync(string functionName, Invocation invocation, CancellationToken cancellationToken = default)
    {
        if (invocation.Qualifier is { } qualifier && qualifier != FunctionDefinition.LatestVersion)
        {
            return InvokeQualifiedAsync(functionName, invocation, cancellationToken);
        }

        return Pool(functionName).InvokeAsync(invocation, null, cancellationToken);
    }

    /// <summary>
    /// A synchronous invocation on an idle (warm) environment, or null when none is idle: it neither starts an
    /// environment nor waits for one, so a caller that must not block (the store's event loop) can run it inline and
    /// leave the rest to <see cref="InvokeAsync"/> on the thread pool.
    /// </summary>
    internal Task<InvocationResult>? TryInvokeWarm(string functionName, Invocation invocation)
    {
        if (invocation.Qualifier is { } qualifier && qualifier != FunctionDefinition.LatestVersion)
        {
            return null;
        }

        return _functions.TryGetValue(functionName, out EnvironmentPool? pool) && pool.TryAcquireIdle() is { } environment
            ? pool.InvokeOnAsync(environment, invocation)
            : null;
    }

    /// <summary>
    /// Completes when every invocation of the function that has been answered has its END/REPORT lines in the log
    /// (they are written just after the answer leaves). Log readers wait for this, so that an invocation's REPORT is
    /// there as soon as its caller has the answer.
    /// </summary>
    public Task LogsSettledAsync(string functionName) => Settled(Environments(functionName));

    /// <summary>
    /// As <see cref="LogsSettledAsync"/>, for every environment that logs into the group: a group named in
    /// LoggingConfig.LogGroup may be shared by several functions.
    /// </summary>
    public Task LogGroupSettledAsync(string groupName) => Settled(_started.Keys.Where(e => e.LogGroupName == groupName));

    private static Task Settled(IEnumerable<ExecutionEnvironment> environments)
    {
        List<Task> pending = [];
        foreach (ExecutionEnvironment environment in environments)
        {
            if (!environment.Finishing.IsCompleted)
            {
                pending.Add(environment.Finishing);
            }
        }

        return pending.Count == 0 ? Task.CompletedTask : Task.WhenAll(pending);
    }

    /// <summary>Which function environment an access key was given to. The store attributes connections with it.</summary>
    public bool TryGetEnvironment(string accessKeyId, out ExecutionEnvironmentIdentity id)
    {
        if (_byAccessKey.TryGetValue(accessKeyId, out ExecutionEnvironment? environment))
        {
            id = new ExecutionEnvironmentIdentity(environment.Definition.Name, environment.Id);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>
    /// True when the invocation was signed with an execution environment's own access key: a function invoking another.
    /// Asked only when no environment can be had at once (the warm path never reads the header); the prefix check keeps
    /// other callers' keys out of the dictionary, and the lookup takes the key as a slice of the header.
    /// </summary>
    internal bool IsEnvironmentCaller(Invocation invocation) =>
        invocation.Authorization is { } authorization
        && TryReadAccessKeyId(authorization, out ReadOnlySpan<char> accessKeyId)
        && accessKeyId.StartsWith(ExecutionEnvironment.AccessKeyPrefix, StringComparison.Ordinal)
        && _byAccessKey.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(accessKeyId);

    /// <summary>The access key of a SigV4 header: <c>AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...</c>.</summary>
    private static bool TryReadAccessKeyId(ReadOnlySpan<char> authorization, out ReadOnlySpan<char> accessKeyId)
    {
        accessKeyId = default;
        int credential = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (credential < 0)
        {
            return false;
        }

        ReadOnlySpan<char> scope = authorization[(credential + "Credential=".Length)..];
        int slash = scope.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        accessKeyId = scope[..slash];
        return true;
    }

    /// <summary>
    /// The secret and session token issued with a live environment's access key, for strict signature checks. False
    /// once the environment is gone: its credentials stop working with it, as an expired Lambda role session does.
    /// </summary>
    public bool TryGetCredentials(string accessKeyId, out string secretAccessKey, out string sessionToken)
    {
        // Not "started": the process may sign its first request before OnEnvironmentStarted runs. IsDead ends them.
        if (_byAccessKey.TryGetValue(accessKeyId, out ExecutionEnvironment? environment) && !environment.IsDead)
        {
            secretAccessKey = environment.SecretAccessKey;
            sessionToken = environment.SessionToken;
            return true;
        }

        secretAccessKey = sessionToken = "";
        return false;
    }

    /// <summary>Environments the function has now (starting, busy or frozen).</summary>
    public int EnvironmentCount(string functionName) => _functions.TryGetValue(functionName, out EnvironmentPool? pool) ? pool.EnvironmentCount : 0;

    /// <summary>How many invocations of the function wait in its queue (for tests and diagnostics).</summary>
    internal int QueuedInvocations(string functionName) => _functions.TryGetValue(functionName, out EnvironmentPool? pool) ? pool.WaiterCount : 0;

    /// <summary>The most environments the function has had at once.</summary>
    public int PeakEnvironmentCount(string functionName) => _functions.TryGetValue(functionName, out EnvironmentPool? pool) ? pool.PeakEnvironmentCount : 0;

    /// <summary>Environments the account (every function together) has now: the slots taken from <see cref="FunctionHostOptions.AccountConcurrencyLimit"/>.</summary>
    public int AccountEnvironmentCount => Volatile.Read(ref _accountSlotsInUse);

    /// <summary>The most environments the account (every function together) has had at once.</summary>
    public int PeakAccountEnvironmentCount => Volatile.Read(ref _peakAccountSlots);

    /// <summary>Process ids of every environment started so far and not yet exited (for tests and diagnostics).</summary>
    public IReadOnlyList<int> RunningProcessIds()
    {
        List<int> ids = [];
        foreach (ExecutionEnvironment environment in _started.Keys)
        {
            if (environment.ProcessId is int id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    internal IReadOnlyList<ExecutionEnvironment> Environments(string functionName) =>
        _functions.TryGetValue(functionName, out EnvironmentPool? pool) ? pool.Snapshot() : [];

    /// <summary>True once the host is being disposed: no environment starts a process from then on.</summary>
    internal bool IsStopping => _stopping.IsCancellationRequested;

    internal string Arn(string functionName) => FunctionName.Arn(Options.Region, Options.AccountId, functionName);

    internal bool TryTakeAccountSlot()
    {
        while (true)
        {
            int inUse = Volatile.Read(ref _accountSlotsInUse);
            if (inUse >= Options.AccountConcurrencyLimit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _accountSlotsInUse, inUse + 1, inUse) == inUse)
            {
                int peak;
                while ((peak = Volatile.Read(ref _peakAccountSlots)) < inUse + 1 && Interlocked.CompareExchange(ref _peakAccountSlots, inUse + 1, peak) != peak)
                {
                }

                return true;
            }
        }
    }

    internal void ReturnAccountSlot() => Interlocked.Decrement(ref _accountSlotsInUse);

    /// <summary>Orders queued invocations across functions (see EnvironmentPool's Waiter).</summary>
    internal long NextWaiterTicket() => Interlocked.Increment(ref _waiterTickets);

    /// <summary>
    /// The oldest ticket among other functions' invocations queued for the account's capacity that a function with
    /// <paramref name="releasingCount"/> environments owes a slot to, or long.MaxValue.
    /// </summary>
    internal long OldestAccountWaiterElsewhere(EnvironmentPool except, int releasingCount)
    {
        long oldest = long.MaxValue;
        foreach ((_, EnvironmentPool pool) in _functions)
        {
            if (pool != except)
            {
                oldest = Math.Min(oldest, pool.OldestAccountWaiterTicket(releasingCount));
            }
        }

        return oldest;
    }

    internal void TryEvictIdleElsewhere(EnvironmentPool except)
    {
        // A reset environment first, whatever its function: it has no process, and would cost a re-init anyway.
        foreach (EnvironmentPool pool in _functions.Values)
        {
            if (pool != except && pool.TryEvictIdle(resetOnly: true))
            {
                return;
            }
        }

        foreach (EnvironmentPool pool in _functions.Values)
        {
            if (pool != except && pool.TryEvictIdle())
            {
                return;
            }
        }
    }

    /// <summary>An environment went idle or away: functions queued on the account limit may proceed.</summary>
    internal void OnCapacityAvailable(EnvironmentPool source)
    {
        // Runs on every release of an environment: enumerate the dictionary itself, which takes no lock and copies
        // nothing, rather than .Values (all of its locks and a new list per call).
        foreach ((_, EnvironmentPool pool) in _functions)
        {
            if (pool != source && pool.WaiterCount > 0)
            {
                if (Volatile.Read(ref _accountSlotsInUse) >= Options.AccountConcurrencyLimit && !source.TryEvictIdle())
                {
                    return;
                }

                pool.ServeWaiters();
            }
        }
    }

    /// <summary>Just before the process starts: from here its access key attributes connections and signs requests.</summary>
    internal void OnCredentialsIssued(ExecutionEnvironment environment) => _byAccessKey[environment.AccessKeyId] = environment;

    /// <summary>The process never started: its credentials were never handed out, so they are withdrawn.</summary>
    internal void OnLaunchFailed(ExecutionEnvironment environment) =>
        _byAccessKey.TryRemove(new KeyValuePair<string, ExecutionEnvironment>(environment.AccessKeyId, environment));

    internal void OnEnvironmentStarted(ExecutionEnvironment environment) => _started[environment] = 0;

    internal void OnEnvironmentExited(ExecutionEnvironment environment) => _started.TryRemove(environment, out _);

    private EnvironmentPool Pool(string name) =>
        _functions.TryGetValue(name, out EnvironmentPool? pool) ? pool : throw LambdaException.FunctionNotFound(Arn(name));

    private void ReapIdle()
    {
        DateTimeOffset cutoff = Options.Clock.GetUtcNow() - Options.IdleTimeout;
        foreach (EnvironmentPool pool in _functions.Values)
        {
            pool.ReapIdle(cutoff);
        }
    }

    private void SweepLogRetention()
    {
        try
        {
            LogsApi.LogRetention.ExpireAll(this);
        }
        catch (ObjectDisposedException)
        {
            // The host stopping under the sweep: the next start sweeps again.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _reaper.DisposeAsync().ConfigureAwait(false);
        await _retentionSweep.DisposeAsync().ConfigureAwait(false);
        WarnIfNeverResumed();
        _stopping.Cancel();
        List<Task> shutdowns = [];
        foreach (EnvironmentPool pool in _functions.Values)
        {
            foreach (ExecutionEnvironment environment in pool.Snapshot())
            {
                shutdowns.Add(environment.ShutdownAsync());
            }
        }

        foreach (ExecutionEnvironment environment in _started.Keys)
        {
            shutdowns.Add(environment.ShutdownAsync());
        }

        try
        {
            await Task.WhenAll(shutdowns).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await Task.WhenAll(_eventInvocations.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or LambdaException)
        {
            LogShutdownIncomplete(_logger, e.Message);
        }

        try
        {
            // The pollers saw the cancellation at once; one whose invocation was in flight ends with the environments.
            await EventSourceMappings.StopAllAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            LogShutdownIncomplete(_logger, e.Message);
        }

        // The environments have stopped, so their last lines (END, REPORT, what they printed on SIGTERM) are in.
        await Logs.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        _guard.Dispose();
        _cgroup?.Dispose();
        _stopping.Dispose();
        StateDatabase.Dispose();
        _temporaryDataDirectory?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function processes: {Containment}; the host's cgroup: {Cgroup}")]
    private static partial void LogProcessContainment(ILogger logger, string containment, string cgroup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function host shutdown incomplete: {Reason}")]
    private static partial void LogShutdownIncomplete(ILogger logger, string reason);
}
