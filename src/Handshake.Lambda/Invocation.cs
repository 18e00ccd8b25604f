namespace Handshake.Lambda;

/// <summary>One invocation on its way to a runtime: what `next` hands over, and where the answer goes.</summary>
public sealed class Invocation
{
    public Invocation(string requestId, ReadOnlyMemory<byte> payload)
    {
        RequestId = requestId;
        Payload = payload;
    }

    public string RequestId { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>JSON, already base64-decoded from X-Amz-Client-Context.</summary>
    public string? ClientContext { get; init; }

    public string? CognitoIdentity { get; init; }

    public string TraceId { get; init; } = "";

    /// <summary>The qualifier the caller gave ($LATEST, a version or an alias); null when unqualified. The invoked ARN carries it.</summary>
    public string? Qualifier { get; init; }

    /// <summary>
    /// The SigV4 <c>Authorization</c> header the Invoke call was signed with, or null (unsigned, or not an HTTP call).
    /// It is read only when no environment can be had at once: a synchronous invocation signed with an execution
    /// environment's own access key (a function invoking another) is then throttled with 429 instead of queued, as
    /// Lambda answers it, since a caller that waits in the queue holds its own slot meanwhile, and callers holding
    /// every slot would wait for each other until they time out. Event invocations ignore it (they are queued by design).
    /// </summary>
    public string? Authorization { get; set; }

    /// <summary>
    /// Set by a caller that passes a streamed answer on as it arrives (InvokeWithResponseStream); null: a streamed
    /// answer is buffered and completes the invocation like any other.
    /// </summary>
    public ResponseStream? Stream { get; set; }

    /// <summary>
    /// How many destination records led to this Event invocation: 0 for one a caller made, 1 for the record of that
    /// one's outcome sent to a destination function, and so on. Bounds a loop of destinations (A to B to A).
    /// </summary>
    internal int DestinationHops { get; init; }

    /// <summary>Collect the invocation's log for X-Amz-Log-Result.</summary>
    public bool TailLog { get; init; }

    /// <summary>
    /// The caller writes the answer first and then calls <see cref="InvocationResult.SettleLog"/>, so that END/REPORT
    /// are not on the answer's path (the Invoke API does this; other callers get the lines before the result).
    /// </summary>
    internal bool DeferLog { get; init; }

    /// <summary>
    /// Completed by the Runtime API handler that received the answer (or by a timeout or an exit). Its continuation
    /// (END/REPORT, handing the environment to the next queued invocation, answering the caller) runs inline on that
    /// thread, before the runtime's 202: no lock is held there, and a thread-pool hop less per invocation.
    /// </summary>
    internal TaskCompletionSource<InvocationResult> Completion { get; } = new();

    /// <summary>Set once an answer (response or error) has been claimed, so that a second answer gets 400.</summary>
    internal int Answered;

    internal long DeadlineUnixMs;

    /// <summary>The version chosen for a qualified invocation (an alias picks it), known before a streamed answer starts.</summary>
    internal string ExecutedVersion = Functions.FunctionDefinition.LatestVersion;

    /// <summary>
    /// The log tail, when <see cref="TailLog"/>: on the invocation, not the environment, because a failed init is retried
    /// in a new environment (a suppressed init) and the tail holds both attempts, as Lambda's does.
    /// </summary>
    internal Logs.InvocationTail? Tail;
}

/// <summary>What the caller of Invoke gets: the payload, or an error payload with X-Amz-Function-Error.</summary>
public sealed class InvocationResult
{
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Null on success; "Unhandled" for every error, as current runtimes report.</summary>
    public string? FunctionError { get; init; }

    /// <summary>The error type, for logs (e.g. Runtime.ExitError, Sandbox.Timedout, or what the runtime posted).</summary>
    public string? ErrorType { get; init; }

    /// <summary>The environment must not be used again (timeout, crash, init failure, response too large).</summary>
    internal bool ResetEnvironment { get; init; }

    /// <summary>
    /// Init failed or overran its limit in the Init phase: the pool retries it once as part of this invocation, under
    /// the function's timeout (a suppressed init), and the retry's answer is the invocation's.
    /// </summary>
    internal bool RetryInit { get; init; }

    /// <summary>Base64 of the last 4 KB of the invocation's log, when a tail was asked for.</summary>
    public string? LogResult { get; set; }

    /// <summary>The version that ran: $LATEST, or the published version a version or alias qualifier resolved to.</summary>
    public string ExecutedVersion { get; internal set; } = Functions.FunctionDefinition.LatestVersion;

    /// <summary>The environment whose END/REPORT lines for this answer wait for <see cref="SettleLog"/>.</summary>
    internal Environments.ExecutionEnvironment? LogOwner { get; set; }

    /// <summary>The answer has left: write the invocation's END/REPORT lines now (see <see cref="Invocation.DeferLog"/>).</summary>
    internal void SettleLog() => LogOwner?.SettleLog();

    public static InvocationResult Success(ReadOnlyMemory<byte> payload) => new() { Payload = payload };

    public static InvocationResult Error(string errorType, string errorMessage, bool reset) => new()
    {
        Payload = ErrorPayload(errorType, errorMessage),
        FunctionError = "Unhandled",
        ErrorType = errorType,
        ResetEnvironment = reset,
    };

    public static byte[] ErrorPayload(string errorType, string errorMessage)
    {
        using MemoryStream buffer = new();
        using (System.Text.Json.Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorType", errorType);
            writer.WriteString("errorMessage", errorMessage);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
