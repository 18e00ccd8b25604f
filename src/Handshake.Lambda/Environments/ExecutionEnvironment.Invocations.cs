using System.Diagnostics;
using System.Globalization;
using System.Text;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.Environments;

/// <summary>The Runtime API's side of an environment: next, answers, init errors, and the START/END/REPORT lines.</summary>
internal sealed partial class ExecutionEnvironment
{
    private long _deliveredAt;

    // Set by the pool while the environment sits idle (nothing queued for it): only then is a runtime in `next` frozen.
    private bool _idle;
    private int _freezes;
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _statusFile;
    private TaskCompletionSource _frozenSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the environment is frozen (now, or next time). For tests and diagnostics.</summary>
    public Task WhenFrozen()
    {
        lock (_gate)
        {
            return _frozenSignal.Task;
        }
    }
    private long _connectionsBefore;

    // A suppressed init is part of its invocation: the connections its init opens are in the invocation's New
    // Connections, as its time is in Duration (counted from StartAsync, under the same access key as before the reset).
    private bool _connectionsCountedFromStart;

    /// <summary>
    /// The runtime asks for the next event. Returns the task that completes with it (null: the environment is going
    /// away), or null with a reason when the call is out of order.
    /// </summary>
    public Task<Invocation?>? BeginNext(out string? refusal)
    {
        refusal = null;
        bool initCompleted = false;
        Task<Invocation?> next;
        lock (_gate)
        {
            if (_dead)
            {
                return Task.FromResult<Invocation?>(null);
            }

            if (_parkedNext is not null)
            {
                refusal = "State transition from RuntimeNext to RuntimeNext failed: a next request is already waiting";
                return null;
            }

            if (_current is { Answered: 0 })
            {
                refusal = $"State transition from Invoke to RuntimeNext failed: invocation {_current.RequestId} has not been answered";
                return null;
            }

            if (!_initialized && _postedInitError is not null)
            {
                // As RIE, whose runtime leaves no state once it has reported an init error: the environment is being
                // reset, and the invocation is the init error's (or the retry's), not this runtime's.
                refusal = "State transition from RuntimeInitError to RuntimeNext failed: init error already reported";
                return null;
            }

            _current = null;
            if (!_initialized)
            {
                _initialized = true;
                _initDurationMs = ElapsedMs(_startedAt);
                initCompleted = true;
            }

            // The first `next` after init takes the event at once, unless what init printed is still on its way to the
            // log: then the invocation (InvokeAsync) reads it first and delivers after, so that the log has init's
            // lines before START, as Lambda's does (a line still in the pipe came out after START on a loaded machine).
            if (_assigned is { } assigned && !(initCompleted && OutputPending()))
            {
                _assigned = null;
                // Not frozen: a runtime that is calling `next` is running.
                _ = Deliver(assigned);
                if (initCompleted && SuppressedInit)
                {
                    // A suppressed init spent part of the invocation's timeout: the deadline counts from its start.
                    assigned.DeadlineUnixMs -= (long)_initDurationMs;
                }
                next = Task.FromResult<Invocation?>(assigned);
            }
            else
            {
                // Completed outside the lock; its continuation (writing the event to the runtime) may run inline: one thread hop less.
                TaskCompletionSource<Invocation?> parked = new();
                _parkedNext = parked;
                next = parked.Task;
                if (_idle)
                {
                    // Back in `next` with nothing to do: freeze it, as Lambda does between invocations.
                    FreezeLocked();
                }
            }
        }

        if (initCompleted)
        {
            _init.TrySetResult(null);
        }

        return next;
    }

    /// <summary>The connection a `next` waited on has closed: it waits no more, unless the event has already been handed to it.</summary>
    public void WithdrawNext(Task<Invocation?> next)
    {
        lock (_gate)
        {
            if (_parkedNext?.Task == next)
            {
                _parkedNext = null;
            }
        }
    }

    /// <summary>A `next` waits for an event. For tests and diagnostics.</summary>
    public bool WaitsInNext
    {
        get
        {
            lock (_gate)
            {
                return _parkedNext is not null;
            }
        }
    }

    /// <summary>
    /// The pool has nothing for this environment: freeze it now if the runtime is already waiting in `next`, or as soon
    /// as it gets there. Called under the pool's lock.
    /// </summary>
    public void EnterIdle()
    {
        lock (_gate)
        {
            _idle = true;
            if (_parkedNext is not null && _assigned is null)
            {
                FreezeLocked();
            }
        }
    }

    /// <summary>
    /// The pool has handed this environment an invocation. Until then a runtime that is back in `next` is not frozen:
    /// an environment with an invocation waiting for it is not idle, and Lambda only freezes idle ones. Called under
    /// the pool's lock.
    /// </summary>
    public void LeaveIdle()
    {
        lock (_gate)
        {
            _idle = false;
        }
    }

    // Under _gate.
    private void FreezeLocked()
    {
        if (_frozen || _dead || _process is null || !_host.Options.FreezeBetweenInvocations)
        {
            return;
        }

        _process.SignalGroup(ProcessSignal.Stop);
        _frozen = true;
        _freezes++;
        LambdaMetrics.Frozen(Definition.Name);
        _frozenSignal.TrySetResult();
    }

    /// <summary>How many times the environment has been frozen. For tests and diagnostics.</summary>
    public int Freezes
    {
        get
        {
            lock (_gate)
            {
                return _freezes;
            }
        }
    }

    /// <summary>Claims the right to answer the current invocation; null (answered 400) for a wrong or already-answered id.</summary>
    public Invocation? ClaimAnswer(string requestId)
    {
        lock (_gate)
        {
            if (_current is { } current && current.RequestId == requestId && Interlocked.CompareExchange(ref current.Answered, 1, 0) == 0)
            {
                return current;
            }

            return null;
        }
    }

    public void CompleteResponse(Invocation invocation, byte[] payload) =>
        invocation.Completion.TrySetResult(InvocationResult.Success(payload));

    public void CompleteError(Invocation invocation, byte[] body, string? errorType)
    {
        string type = errorType ?? "Function.Unknown";
        // With no body, Lambda builds the error from the header.
        byte[] payload = body.Length > 0 ? body : InvocationResult.ErrorPayload(type, "");
        invocation.Completion.TrySetResult(new InvocationResult { Payload = payload, FunctionError = "Unhandled", ErrorType = type });
    }

    public void CompleteTooLarge(Invocation invocation) =>
        invocation.Completion.TrySetResult(InvocationResult.Error(
            "Function.ResponseSizeTooLarge",
            $"Response payload size exceeded maximum allowed payload size ({RuntimeApi.RuntimeApiHandler.MaxResponseBytes} bytes).",
            reset: true));

    public void CompleteTruncated(Invocation invocation) =>
        invocation.Completion.TrySetResult(InvocationResult.Error("Runtime.TruncatedResponse", $"RequestId: {invocation.RequestId} Error: Runtime sent a truncated response", reset: true));

    /// <summary>The runtime reports that init failed. Accepted only before its first `next`, and once: null, or why not.</summary>
    public string? PostInitError(byte[] body, string? errorType)
    {
        lock (_gate)
        {
            if (_initialized)
            {
                return "Init error reported after init";
            }

            if (_postedInitError is not null)
            {
                return "State transition from RuntimeInitError to RuntimeInitError failed: init error already reported";
            }

            string type = errorType ?? "Runtime.Unknown";
            _postedInitError = new InitFailure(type, body.Length > 0 ? body : InvocationResult.ErrorPayload(type, ""), "init error");
        }

        return null;
    }

    /// <summary>
    /// After the 202 for <see cref="PostInitError"/> is on the wire: Lambda answers the invocation with the init error and
    /// resets the environment. Not before it: the reset stops the process group, and a runtime stopped while it waits
    /// for its 202 (or whose connection closes first) prints a failed post into the log.
    /// </summary>
    public void InitErrorAccepted() => _init.TrySetResult(_postedInitError);

    /// <param name="initsHere">The invocation ran a suppressed init: its deadline counts from the init's start.</param>
    private void TryDeliverToParkedNext(Invocation invocation, bool initsHere = false)
    {
        TaskCompletionSource<Invocation?>? parked = null;
        bool thaw = false;
        lock (_gate)
        {
            if (_assigned == invocation && _parkedNext is not null)
            {
                parked = _parkedNext;
                _parkedNext = null;
                _assigned = null;
                thaw = Deliver(invocation);
                if (initsHere)
                {
                    invocation.DeadlineUnixMs -= (long)_initDurationMs;
                }
            }
        }

        // The event is written to the runtime's socket first (the Runtime API writes inline), then the group is
        // continued: the thawed runtime finds its answer waiting instead of going back to sleep for it.
        parked?.TrySetResult(invocation);
        if (thaw)
        {
            _process?.SignalGroup(ProcessSignal.Cont);
        }
    }

    // Under _gate: the event leaves for the runtime now. True when the caller must continue (SIGCONT) the frozen group.
    private bool Deliver(Invocation invocation)
    {
        bool thaw = _frozen;
        LambdaMetrics.Invoked(Definition.Name);
        if (_frozen)
        {
            LambdaMetrics.Thawed(Definition.Name);
            _frozen = false;
            _frozenSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _current = invocation;
        _deliveredAt = Stopwatch.GetTimestamp();
        invocation.DeadlineUnixMs = _host.Options.Clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)(Definition.Timeout * 1000);
        if (!_connectionsCountedFromStart)
        {
            _connectionsBefore = _host.Options.NewConnectionsByAccessKey?.Invoke(AccessKeyId) ?? 0;
        }

        _connectionsCountedFromStart = false;
        // On a cold start the tail was begun at init (InvokeAsync): it goes on.
        _tail = invocation.TailLog ? invocation.Tail ??= new InvocationTail() : null;
        LogStart(invocation);
        return thaw;
    }

    /// <summary>START, or its platform.start event (see <see cref="PlatformLog"/>).</summary>
    private void LogStart(Invocation invocation) => AppendPlatformLog(_platform.IsJson
        ? _platform.Start(_host.Options.Clock.GetUtcNow(), invocation.RequestId, Definition.Version)
        : $"START RequestId: {invocation.RequestId} Version: {Definition.Version}");

    private async Task FinishInvocationAsync(Invocation invocation, InvocationResult result, double durationMs)
    {
        await DrainOutputAsync().ConfigureAwait(false);
        long billedMs = (long)Math.Max(1, Math.Ceiling(durationMs));
        long maxMemoryMb = MaxMemoryUsedMb();
        double? initMs = null;
        if (!_initReported)
        {
            _initReported = true;
            initMs = _initDurationMs;
        }

        long? newConnections = _host.Options.NewConnectionsByAccessKey is { } connections ? connections(AccessKeyId) - _connectionsBefore : null;
        bool timedOut = result.ErrorType == "Sandbox.Timedout";
        if (_platform.IsJson)
        {
            // The Telemetry API's statuses: the text line's "Status: timeout" and "Status: error" (an environment
            // reset), and "failure" for an error the runtime posted (which the text line does not mark).
            string status = timedOut ? "timeout" : result.ResetEnvironment ? "error" : result.FunctionError is not null ? "failure" : "success";
            string? errorType = status is "success" or "timeout" ? null : result.ErrorType;
            DateTimeOffset now = _host.Options.Clock.GetUtcNow();
            AppendPlatformLog(_platform.RuntimeDone(now, invocation.RequestId, status, errorType, durationMs, result.Payload.Length));
            AppendPlatformLog(_platform.Report(now, invocation.RequestId, status, errorType, durationMs, billedMs, Definition.MemorySize, maxMemoryMb, initMs, newConnections));
        }
        else
        {
            StringBuilder report = new();
            report.Append(CultureInfo.InvariantCulture, $"REPORT RequestId: {invocation.RequestId}\tDuration: {durationMs:0.00} ms\tBilled Duration: {billedMs} ms\t");
            report.Append(CultureInfo.InvariantCulture, $"Memory Size: {Definition.MemorySize} MB\tMax Memory Used: {maxMemoryMb} MB\t");
            if (initMs is double init)
            {
                report.Append(CultureInfo.InvariantCulture, $"Init Duration: {init:0.00} ms\t");
            }

            if (newConnections is long count)
            {
                report.Append(CultureInfo.InvariantCulture, $"New Connections: {count}\t");
            }

            if (timedOut)
            {
                report.Append("Status: timeout");
            }
            else if (result.ResetEnvironment)
            {
                report.Append("Status: error\tError Type: ").Append(result.ErrorType);
            }

            AppendLog($"END RequestId: {invocation.RequestId}");
            AppendLog(report.ToString().TrimEnd('\t'));
        }

        InvocationTail? tail;
        lock (_gate)
        {
            tail = _tail;
            _tail = null;
        }

        if (tail is not null)
        {
            result.LogResult = tail.ToBase64();
        }

        LastUsed = _host.Options.Clock.GetUtcNow();
    }

    /// <summary>
    /// Output written before the answer may still sit in the pipes: read it before END, so that the log and the tail
    /// are complete. Bounded, so that a function that keeps printing cannot hold the answer back.
    /// </summary>
    /// <summary>Output the runtime wrote that the log has not taken yet (see <see cref="DrainOutputAsync"/>).</summary>
    private bool OutputPending() => _process is not null && _output is not null && (_process.PendingOutputBytes() > 0 || _output.IsProcessing);

    private async Task DrainOutputAsync()
    {
        if (_process is null || _output is null)
        {
            return;
        }

        for (int round = 0; round < 50; round++)
        {
            // Pipes first, then the reader: it marks itself busy before it takes bytes out of a pipe.
            Task progress = _output.Progress;
            if (_process.PendingOutputBytes() == 0 && !_output.IsProcessing)
            {
                return;
            }

            try
            {
                await progress.WaitAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>A line of Lambda's own (see <see cref="PlatformLog"/>); null when SystemLogLevel drops it.</summary>
    private void AppendPlatformLog(string? line)
    {
        if (line is not null)
        {
            AppendLog(line);
        }
    }

    /// <summary>A line of the function's own output; under LogFormat JSON, dropped when ApplicationLogLevel is above its level.</summary>
    private void AppendApplicationLog(string line)
    {
        if (_applicationLog.Keeps(line))
        {
            AppendLog(line);
        }
    }

    private void AppendLog(string line)
    {
        _log.Append(_host.Options.Clock.GetUtcNow(), LogStreamName, line);
        Volatile.Read(ref _tail)?.AppendLine(line);
    }

    /// <summary>Peak resident memory: the process group's measured peak, or the leader's VmHWM, in MB.</summary>
    private long MaxMemoryUsedMb() => PeakMemoryUsedMb(LeaderHighWaterMb());

    private long LeaderHighWaterMb()
    {
        if (_process is null)
        {
            return 0;
        }

        try
        {
            // One pread on a handle kept open for the environment's life, instead of opening and reading the file
            // line by line for every REPORT line.
            _statusFile ??= File.OpenHandle($"/proc/{_process.ProcessId}/status");
            Span<byte> status = stackalloc byte[4096];
            int length = RandomAccess.Read(_statusFile, status, 0);
            ReadOnlySpan<byte> text = status[..length];
            int at = text.IndexOf("VmHWM:"u8);
            if (at < 0)
            {
                return 0;
            }

            text = text[(at + "VmHWM:".Length)..].TrimStart(" \t"u8);
            int end = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            return System.Buffers.Text.Utf8Parser.TryParse(end < 0 ? text : text[..end], out long kb, out _) ? kb / 1024 : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return 0;
        }
    }
}
