using System.Diagnostics;
using System.Security.Cryptography;
using Handshake.Lambda.Functions;
using Handshake.Lambda.Logs;
using Handshake.Lambda.RuntimeApi;

namespace Handshake.Lambda.Environments;

/// <summary>
/// One execution environment: a process group with its own Runtime API, running one invocation at a time.
/// States: starting (until the runtime's first `next`), ready and frozen (parked in `next`), busy, dead.
/// Freeze: once the runtime is back in `next` with nothing to do, its process group gets SIGSTOP; SIGCONT just before
/// the next invocation is handed over. A timeout, a crash, an init failure or a too-large response ends it.
/// </summary>
internal sealed partial class ExecutionEnvironment : IAsyncDisposable
{
    private readonly FunctionHost _host;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<InitFailure?> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FunctionLog _log;
    private readonly PlatformLog _platform;
    private readonly ApplicationLogFilter _applicationLog;
    private RuntimeApiServer? _server;
    private IChildProcess? _process;
    private OutputCapture? _output;
    private TaskCompletionSource<Invocation?>? _parkedNext;
    private Invocation? _assigned;
    private Invocation? _current;
    private InvocationTail? _tail;
    private bool _initialized;
    private bool _frozen;
    private bool _dead;
    private bool _initReported;
    private long _startedAt;
    private double _initDurationMs;
    private InitFailure? _postedInitError;

    // Set when the process has exited (MonitorExitAsync): how, and the error type an invocation left on it fails with.
    private (string How, string ErrorType)? _exit;
    private Task? _shutdown;
    private Task? _starting;
    private Task _finishing = Task.CompletedTask;
    private ExecutionEnvironment? _predecessor;

    // An answered invocation whose END/REPORT lines wait until its caller has the answer (see SettleLog).
    private readonly Lock _reportGate = new();
    private PendingReport? _pendingReport;

    /// <param name="predecessor">
    /// The same execution environment before it was reset, when this one re-runs its init within an invocation (a
    /// suppressed init): after a failed init in the Init phase, or after a timeout or a crash in an invocation. It keeps
    /// the environment's identity, as Lambda's reset keeps the execution environment: its id, its log stream and its
    /// credentials (so that the store's accounting by access key goes on counting the same environment). Its process
    /// starts only once the predecessor's process group is gone.
    /// </param>
    public ExecutionEnvironment(FunctionHost host, FunctionDefinition definition, int generation, ExecutionEnvironment? predecessor = null)
    {
        _host = host;
        Definition = definition;
        Generation = generation;
        SuppressedInit = predecessor is not null;
        _predecessor = predecessor;
        // A suppressed init is part of the invocation: its time is in the REPORT line's Duration, which then has no
        // Init Duration (as Lambda's REPORT after an INIT_REPORT with Phase: invoke).
        _initReported = SuppressedInit;
        DateTimeOffset now = host.Options.Clock.GetUtcNow();
        if (predecessor is not null)
        {
            Id = predecessor.Id;
            LogStreamName = predecessor.LogStreamName;
            AccessKeyId = predecessor.AccessKeyId;
            SecretAccessKey = predecessor.SecretAccessKey;
            SessionToken = predecessor.SessionToken;
        }
        else
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            // In a log group of its own choosing (LoggingConfig.LogGroup), which other functions may share, a stream's
            // name also names the function, as Lambda's do there: YYYY/MM/DD/NAME[VERSION]ID.
            LogStreamName = definition.Logging.LogGroup is null
                ? $"{now:yyyy'/'MM'/'dd}/[{definition.Version}]{Id}"
                : $"{now:yyyy'/'MM'/'dd}/{definition.Name}[{definition.Version}]{Id}";
            // Per-environment credentials, as Lambda gives each environment its own: the store attributes connections by key.
            AccessKeyId = AccessKeyPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
            SecretAccessKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
            SessionToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }

        LogGroupName = definition.Logging.LogGroupFor(definition.Name);
        _log = host.Logs.For(LogsApi.LogGroups.LogKey(LogGroupName));
        _platform = new PlatformLog(definition.Logging);
        _applicationLog = new ApplicationLogFilter(definition.Logging);
        LastUsed = now;
    }

    public string Id { get; }

    /// <summary>The log group its lines go to: LoggingConfig.LogGroup, else /aws/lambda/NAME.</summary>
    public string LogGroupName { get; }

    public FunctionDefinition Definition { get; }

    public int Generation { get; }

    public string LogStreamName { get; }

    public string AccessKeyId { get; }

    /// <summary>Every environment's access key starts with this (as an STS session key does on AWS).</summary>
    public const string AccessKeyPrefix = "ASIA";

    public string SecretAccessKey { get; }

    public string SessionToken { get; }

    public DateTimeOffset LastUsed { get; set; }

    public int? ProcessId => _process?.ProcessId;

    public string? RuntimeApiAddress => _server?.Address;

    public bool IsDead
    {
        get
        {
            lock (_gate)
            {
                return _dead;
            }
        }
    }

    public TimeSpan RuntimeApiHeadTimeout => _host.Options.RuntimeApiHeadTimeout;

    public bool IsFrozen
    {
        get
        {
            lock (_gate)
            {
                return _frozen;
            }
        }
    }

    /// <summary>Runs one invocation: starts the environment if needed, hands the event over, waits for the answer or the timeout.</summary>
    public async Task<InvocationResult> InvokeAsync(Invocation invocation)
    {
        // The previous invocation's END/REPORT lines come first (written after its caller had its answer).
        await Finishing.ConfigureAwait(false);
        // Only the invocation that runs a suppressed init (the first on a reset environment, or the retry of a failed
        // Init phase) shares its timeout with init and counts init in its Duration; later ones on the same environment
        // are plain warm invocations.
        bool startsHere = _server is null;
        bool initsHere = SuppressedInit && startsHere;
        (string How, string ErrorType)? exitedBefore;
        lock (_gate)
        {
            // Assigned before init completes, so that the runtime's first `next` takes it at once (no freeze on a cold start).
            _assigned = invocation;
            // The process exited after the pool took this warm environment and before this assignment: MonitorExitAsync
            // found nothing to fail, so it is failed here (below), not left to its timeout.
            exitedBefore = _exit;
        }

        if (_server is null)
        {
            // A cold start's tail begins with init: what init prints, and its INIT_REPORT when it fails, are part of
            // the invocation's log.
            if (invocation.TailLog)
            {
                _tail = invocation.Tail ??= new InvocationTail();
            }

            InitFailure? launchFailure;
            TaskCompletionSource starting = new(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                // A shutdown that came first (the function deleted, the host stopping) would find no process to stop,
                // and one started after it would run on unstopped, unguarded once the host is gone: do not start.
                // Otherwise the shutdown waits for the start (ShutdownCoreAsync) and then stops what it started.
                launchFailure = _shutdown is not null || _host.IsStopping
                    ? new InitFailure("Runtime.ExitError", null, "Runtime exited with error: signal: killed")
                    : null;
                _starting = launchFailure is null ? starting.Task : null;
            }

            if (launchFailure is null)
            {
                try
                {
                    launchFailure = await StartAsync().ConfigureAwait(false);
                }
                finally
                {
                    starting.SetResult();
                }
            }

            if (launchFailure is not null)
            {
                _init.TrySetResult(launchFailure);
            }
        }

        if (await WaitForInitAsync().ConfigureAwait(false) is { } failure)
        {
            return await FailInitAsync(invocation, failure).ConfigureAwait(false);
        }

        if (startsHere)
        {
            // Init's output first (see BeginNext): when the first `next` found it still in the pipes, it left the event
            // for this call to deliver.
            await DrainOutputAsync().ConfigureAwait(false);
        }

        if (exitedBefore is { } exit)
        {
            Invocation? orphaned;
            lock (_gate)
            {
                orphaned = TakeAssignedLocked();
            }

            if (orphaned is not null)
            {
                FailOnExit(orphaned, exit.How, exit.ErrorType);
            }
        }

        TryDeliverToParkedNext(invocation, initsHere);
        TimeSpan timeout = TimeSpan.FromSeconds(Definition.Timeout);
        InvocationResult result;
        bool timedOut = false;
        try
        {
            // After a suppressed init the handler has what init left of the timeout.
            TimeSpan left = initsHere ? TimeSpan.FromTicks(Math.Max(0, (timeout - Stopwatch.GetElapsedTime(_startedAt)).Ticks)) : timeout;
            result = await invocation.Completion.Task.WaitAsync(left, _host.Options.Clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Complete first, so that a later answer finds the invocation already completed (and gets its 400). An
            // answer that came between the deadline and here has already been accepted with a 202: it stands, and the
            // environment is not killed for a timeout its caller is not told about.
            InvocationResult timeoutResult = InvocationResult.Error("Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: Task timed out after {timeout.TotalSeconds:0.00} seconds", reset: true);
            if (invocation.Completion.TrySetResult(timeoutResult))
            {
                result = timeoutResult;
                timedOut = true;
                lock (_gate)
                {
                    _dead = true;
                }

                _process?.SignalGroup(ProcessSignal.Kill);
                AppendLog($"{_host.Options.Clock.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {invocation.RequestId} Task timed out after {timeout.TotalSeconds:0.00} seconds");
            }
            else
            {
                result = await invocation.Completion.Task.ConfigureAwait(false);
            }
        }

        double durationMs = ElapsedMs(initsHere ? _startedAt : _deliveredAt);
        if (timedOut)
        {
            // The timeout's timer runs on the timer queue's millisecond clock and may fire a fraction of a millisecond
            // early against the Stopwatch that measures Duration: a timeout's Duration could come out just under the
            // timeout (2999.56 ms for 3 s was seen). Lambda's REPORT lines for timeouts in public logs never do (3071.27 ms for 3 s, 30030.16 ms for 30 s, 120000.64 ms for 120 s:
            // alexa-samples/skill-sample-nodejs-smarthome-switch#18, aws/aws-lambda-dotnet#269,
            // awslabs/aws-lambda-redshift-loader#80).
            durationMs = Math.Max(durationMs, timeout.TotalMilliseconds);
        }

        if (invocation.TailLog || result.ResetEnvironment)
        {
            await FinishInvocationAsync(invocation, result, durationMs).ConfigureAwait(false);
        }
        else if (invocation.DeferLog)
        {
            // The caller does not wait for the log: END/REPORT (draining the pipes, reading VmHWM, formatting) are
            // written once its answer has been sent (InvocationResult.SettleLog), not on the way to it.
            lock (_reportGate)
            {
                _pendingReport = new PendingReport(invocation, result, durationMs);
            }

            result.LogOwner = this;
        }
        else
        {
            lock (_reportGate)
            {
                _finishing = FinishInvocationAsync(invocation, result, durationMs);
            }
        }

        if (result.ResetEnvironment)
        {
            // Lambda resets the environment: the runtime and everything it started are killed (SIGKILL of the group,
            // no grace period), and the pool keeps the environment for a re-init within the next invocation.
            _process?.SignalGroup(ProcessSignal.Kill);
            _ = ShutdownAsync();
        }

        return result;
    }

    /// <summary>The ARN the runtime sees: with the qualifier when the caller gave one.</summary>
    public string InvokedFunctionArn(Invocation invocation)
    {
        string arn = FunctionName.Arn(_host.Options.Region, _host.Options.AccountId, Definition.Name);
        return invocation.Qualifier is null ? arn : arn + ":" + invocation.Qualifier;
    }

    /// <summary>Shutdown: SIGTERM, a grace period, then SIGKILL. Idempotent.</summary>
    public Task ShutdownAsync()
    {
        lock (_gate)
        {
            _dead = true;
            _shutdown ??= ShutdownCoreAsync();
            return _shutdown;
        }
    }

    public ValueTask DisposeAsync() => new(ShutdownAsync());

    /// <summary>Completes when the last invocation's END/REPORT lines are in the log (writing them now if they wait).</summary>
    public Task Finishing
    {
        get
        {
            SettleLog();
            lock (_reportGate)
            {
                return _finishing;
            }
        }
    }

    /// <summary>
    /// Writes the END/REPORT lines of an invocation answered with <see cref="Invocation.DeferLog"/>: called once its
    /// answer has left, and by anything that needs the log complete (the next invocation, log readers, shutdown).
    /// Idempotent; the lock makes a concurrent caller wait until the lines are started.
    /// </summary>
    public void SettleLog()
    {
        lock (_reportGate)
        {
            if (_pendingReport is { } pending)
            {
                _pendingReport = null;
                _finishing = FinishInvocationAsync(pending.Invocation, pending.Result, pending.DurationMs);
            }
        }
    }

    /// <summary>Completes when the environment's process has exited (immediately if it never started).</summary>
    public Task ExitedAsync() => _process?.Exited ?? Task.CompletedTask;

    private async Task<InitFailure?> StartAsync()
    {
        _startedAt = Stopwatch.GetTimestamp();
        // Before anything init prints, and before a launch failure's lines (Lambda writes it as init begins).
        LogInitStart();
        if (_predecessor is { } predecessor)
        {
            // A reset: the environment's previous process group is killed and gone before init runs again, so that one
            // environment never has two runtimes, and the old one's last lines are in the log stream before the new one's.
            _predecessor = null;
            await predecessor.ShutdownAsync().ConfigureAwait(false);
            lock (_gate)
            {
                // A shutdown (the function deleted or updated, the host stopping) came while the old group was being
                // stopped: no process is started for it (see InvokeAsync).
                if (_shutdown is not null || _host.IsStopping)
                {
                    return new InitFailure("Runtime.ExitError", null, "Runtime exited with error: signal: killed");
                }
            }
        }

        if (SuppressedInit && _host.Options.NewConnectionsByAccessKey is { } connections)
        {
            _connectionsBefore = connections(AccessKeyId);
            _connectionsCountedFromStart = true;
        }

        LambdaMetrics.EnvironmentStarted(Definition.Name);
        (string FileName, string[] Arguments)? command = RuntimeCommand.Resolve(Definition, _host.Options.NodeBootstrapPath, out string? missing);
        if (command is null)
        {
            return new InitFailure("Runtime.InvalidEntrypoint", null, missing ?? "Invalid entrypoint");
        }

        if (!Directory.Exists(Definition.CodeDirectory))
        {
            return new InitFailure("Runtime.InvalidWorkingDir", null, $"Invalid working directory: {Definition.CodeDirectory}");
        }

        try
        {
            _server = await RuntimeApiServer.StartAsync(this, _host.Transport, _host.LoggerFactory, CancellationToken.None).ConfigureAwait(false);
            Dictionary<string, string> variables = EnvironmentVariables.For(this, _host.Options, _server.Address);
            // The access key must be known before the process can use it: a fast function's first store request may
            // arrive before Start returns here, and would otherwise be attributed to no function (and refused by
            // --auth strict).
            _host.OnCredentialsIssued(this);
            _process = _host.Launcher.Start(new ProcessLaunchSpec(command.Value.FileName, command.Value.Arguments, Definition.CodeDirectory, variables));
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _host.OnLaunchFailed(this);
            return new InitFailure("Runtime.InvalidEntrypoint", null, e.Message);
        }

        _host.OnEnvironmentStarted(this);
        _output = new OutputCapture(_process.StandardOutput, _process.StandardError, AppendApplicationLog);
        _ = MonitorExitAsync(_process);
        _ = WatchMemoryAsync(_process);
        return null;
    }

    private async Task MonitorExitAsync(IChildProcess process)
    {
        string how = await process.Exited.ConfigureAwait(false);
        Invocation? current;
        TaskCompletionSource<Invocation?>? parked;
        bool initPending;
        string errorType;
        lock (_gate)
        {
            // Lambda words an out-of-memory kill as the exit it is, with its own error type.
            errorType = _outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError";
            _exit = (how, errorType);
            _dead = true;
            _frozen = false;
            current = _current is { } c && c.Answered == 0 ? c : null;
            initPending = !_initialized;
            // Handed over but not delivered (the runtime answered the last one and exited before its next `next`): it
            // fails now as a delivered one does, not at its timeout. (During init, the init's failure answers it.)
            current ??= initPending ? null : TakeAssignedLocked();
            parked = _parkedNext;
            _parkedNext = null;
        }

        if (initPending)
        {
            _init.TrySetResult(_postedInitError ?? new InitFailure(errorType, null, $"Runtime exited with error: {how}"));
        }

        if (current is not null)
        {
            FailOnExit(current, how, errorType);
        }

        parked?.TrySetResult(null);
        _host.OnEnvironmentExited(this);
    }

    // Under _gate: the invocation assigned and not yet delivered, delivered now (START) so that it can fail as delivered.
    private Invocation? TakeAssignedLocked()
    {
        if (_assigned is not { } assigned)
        {
            return null;
        }

        _assigned = null;
        Deliver(assigned);
        return assigned;
    }

    private void FailOnExit(Invocation invocation, string how, string errorType)
    {
        if (Interlocked.Exchange(ref invocation.Answered, 1) == 0)
        {
            AppendLog($"RequestId: {invocation.RequestId} Error: Runtime exited with error: {how}\n{errorType}");
            invocation.Completion.TrySetResult(InvocationResult.Error(errorType, $"RequestId: {invocation.RequestId} Error: Runtime exited with error: {how}", reset: true));
        }
    }

    private async Task ShutdownCoreAsync()
    {
        await Task.Yield();
        Task? starting;
        lock (_gate)
        {
            starting = _starting;
        }

        // A cold start under way: let it finish, so that the process it launches is stopped here, not left running.
        await (starting ?? Task.CompletedTask).ConfigureAwait(false);
        SettleLog();
        TaskCompletionSource<Invocation?>? parked;
        lock (_gate)
        {
            parked = _parkedNext;
            _parkedNext = null;
        }

        if (_process is { } process)
        {
            process.SignalGroup(ProcessSignal.Term);
            // A frozen process cannot handle SIGTERM until it is continued.
            process.SignalGroup(ProcessSignal.Cont);
            try
            {
                await process.Exited.WaitAsync(_host.Options.ShutdownGracePeriod, _host.Options.Clock).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            await process.DisposeAsync().ConfigureAwait(false);
            _statusFile?.Dispose();
            await (_output?.Completion ?? Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        parked?.TrySetResult(null);
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _host.OnEnvironmentExited(this);
    }

    private static double ElapsedMs(long since) => since == 0 ? 0 : Stopwatch.GetElapsedTime(since).TotalMilliseconds;

    /// <param name="TimedOut">Init overran its limit (the Init phase's 10 s, or the function timeout in a suppressed init).</param>
    private sealed record InitFailure(string ErrorType, byte[]? Payload, string Reason, bool TimedOut = false);

    private sealed record PendingReport(Invocation Invocation, InvocationResult Result, double DurationMs);
}
