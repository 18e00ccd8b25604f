using System.Diagnostics;
using System.Globalization;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Init's limit and its failures. Lambda limits the Init phase to 10 s; when init fails or overruns it, Lambda logs an
/// INIT_REPORT line (Phase: init) and retries init once as part of the first invocation, under the function's timeout
/// (a "suppressed init"; the pool runs it in a new environment, see <see cref="EnvironmentPool"/>). If that retry fails
/// too, the invocation is logged as Lambda logs it: INIT_REPORT (Phase: invoke), START, the error, END and a REPORT line
/// with Status: error (or timeout) and no Init Duration, and the tail covers both attempts.
/// </summary>
internal sealed partial class ExecutionEnvironment
{
    /// <summary>This environment retries a failed init within the invocation (see the class comment).</summary>
    public bool SuppressedInit { get; }

    /// <summary>
    /// A reset environment that no invocation has taken yet: it has no process, and the next invocation it gets re-runs
    /// init (see <see cref="SuppressedInit"/>).
    /// </summary>
    public bool AwaitsReinit
    {
        get
        {
            lock (_gate)
            {
                return SuppressedInit && _starting is null && _shutdown is null;
            }
        }
    }

    /// <summary>
    /// Lambda's first line of an Init phase, written by Lambda (not the runtime) each time it creates an execution
    /// environment for a managed runtime, provided.* included: `INIT_START Runtime Version: nodejs:20.vN\tRuntime
    /// Version ARN: arn:aws:lambda:REGION::runtime:HASH` (AWS docs, "Identifying Lambda runtime version changes": once
    /// per init, never per invocation). The re-init of a reset or failed environment (a suppressed init, run within an
    /// invocation in the same environment) writes none: inferred from "each time it creates a new execution
    /// environment", not checked against Lambda's logs. The version and hash are local stand-ins (README "Logs").
    /// </summary>
    private void LogInitStart()
    {
        if (!SuppressedInit)
        {
            string version = Functions.FunctionRuntime.RuntimeVersion(Definition.Runtime);
            string arn = Functions.FunctionRuntime.RuntimeVersionArn(Definition.Runtime, _host.Options.Region);
            AppendPlatformLog(_platform.IsJson
                ? _platform.InitStart(_host.Options.Clock.GetUtcNow(), version, arn, Definition.Name, Definition.Version)
                : $"INIT_START Runtime Version: {version}\tRuntime Version ARN: {arn}");
        }
    }

    /// <summary>Null once the runtime has called `next`; otherwise why init failed (an error, an exit, or its limit).</summary>
    private async Task<InitFailure?> WaitForInitAsync()
    {
        TimeSpan limit = SuppressedInit ? TimeSpan.FromSeconds(Definition.Timeout) : _host.Options.InitTimeout;
        // A suppressed init's limit counts from the invocation's start on this environment (the reset of the previous
        // process included), as its Duration does.
        TimeSpan left = SuppressedInit ? TimeSpan.FromTicks(Math.Max(0, (limit - Stopwatch.GetElapsedTime(_startedAt)).Ticks)) : limit;
        try
        {
            return await _init.Task.WaitAsync(left, _host.Options.Clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                // The runtime reached `next` just as the limit passed: init did complete, and it may hold the event already.
                if (_initialized)
                {
                    return null;
                }
            }

            return new InitFailure("Sandbox.Timedout", null, $"Task timed out after {limit.TotalSeconds:0.00} seconds", TimedOut: true);
        }
    }

    private async Task<InvocationResult> FailInitAsync(Invocation invocation, InitFailure failure)
    {
        lock (_gate)
        {
            _assigned = null;
            _dead = true;
        }

        if (failure.TimedOut)
        {
            // It is still running: stop it before anything else, so that the retry does not compete with it.
            _process?.SignalGroup(ProcessSignal.Kill);
        }

        // What the runtime printed before it failed belongs in the log before the INIT_REPORT line.
        await DrainOutputAsync().ConfigureAwait(false);
        double initMs = ElapsedMs(_startedAt);
        InvocationResult result = failure.Payload is byte[] posted
            ? new InvocationResult { Payload = posted, FunctionError = "Unhandled", ErrorType = failure.ErrorType, ResetEnvironment = true, RetryInit = !SuppressedInit }
            : new InvocationResult
            {
                Payload = InvocationResult.ErrorPayload(failure.ErrorType, $"RequestId: {invocation.RequestId} Error: {failure.Reason}"),
                FunctionError = "Unhandled",
                ErrorType = failure.ErrorType,
                ResetEnvironment = true,
                RetryInit = !SuppressedInit,
            };

        if (!SuppressedInit)
        {
            // AWS's documented forms: "Phase: init  Status: timeout", and "Status: error  Error Type: ..." for a failure.
            string status = failure.TimedOut ? "Status: timeout" : "Status: error\tError Type: " + failure.ErrorType;
            AppendPlatformLog(_platform.IsJson
                ? _platform.InitReport(_host.Options.Clock.GetUtcNow(), "init", failure.TimedOut ? "timeout" : "error", failure.TimedOut ? null : failure.ErrorType, initMs)
                : string.Create(CultureInfo.InvariantCulture, $"INIT_REPORT Init Duration: {initMs:0.00} ms\tPhase: init\t{status}"));
            _ = ShutdownAsync();
            return result;
        }

        // The retry failed too. A suppressed init that overran the function timeout is logged by Lambda as an error of
        // type Runtime.Unknown (the invocation itself then reports the timeout).
        string errorType = failure.TimedOut ? "Runtime.Unknown" : failure.ErrorType;
        AppendPlatformLog(_platform.IsJson
            ? _platform.InitReport(_host.Options.Clock.GetUtcNow(), "invoke", "error", errorType, initMs)
            : string.Create(CultureInfo.InvariantCulture, $"INIT_REPORT Init Duration: {initMs:0.00} ms\tPhase: invoke\tStatus: error\tError Type: {errorType}"));
        LogStart(invocation);
        if (failure.TimedOut)
        {
            AppendLog($"{_host.Options.Clock.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {invocation.RequestId} {failure.Reason}");
        }
        else if (failure.Payload is null)
        {
            // An exit (or a runtime that could not start) is logged as an exit during an invocation is.
            AppendLog($"RequestId: {invocation.RequestId} Error: {failure.Reason}\n{failure.ErrorType}");
        }

        await FinishInvocationAsync(invocation, result, initMs).ConfigureAwait(false);
        _ = ShutdownAsync();
        return result;
    }
}
