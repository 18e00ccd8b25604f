using System.Buffers;
using Handshake.Dynamo.Protocol;
using Handshake.Lambda.Functions;
using static Handshake.Http.HttpResponseText;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// Invoke on the store's event loop: a plain <c>POST /2015-03-31/functions/{name}/invocations</c> on <c>handshake
/// up</c>'s port is answered by the loop's thread, as the store's own requests are, instead of crossing Kestrel's socket
/// engine, I/O queue and thread pool. A warm invocation then runs from the Invoke request to the event written to the
/// runtime (and the thaw) on the loop's thread, and its answer goes back through the loop's queue.
/// </summary>
/// <remarks>
/// Only requests that can be answered exactly as <see cref="Invoke"/> answers them are taken. Anything that would be
/// answered with a validation error (an unknown function or qualifier, an ARN in another region or account, an unknown invocation
/// or log type, a bad client context, a payload that is not JSON, a repeated header) is declined, and Kestrel's path
/// answers it with Lambda's error; the connection stays with Kestrel from then on. An invocation with no idle environment (a cold start, a queued one) runs
/// on the thread pool: starting a process must not hold up the loop's other connections. Event invocations are declined
/// too: accepting one commits its document to the state database before the 202 (FunctionHost.EventQueue.cs), a
/// disk write the loop's thread must not wait for (<see cref="IPlainRoute.Begin"/> must not block); Kestrel's path may.
/// </remarks>
public sealed class InvokeRoute(FunctionHost host) : IPlainRoute
{
    private const string Prefix = "/2015-03-31/functions/";
    private const string Suffix = "/invocations";

    private long _taken;

    /// <summary>How many Invoke calls the loop has taken (not declined). For tests and diagnostics.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    public IPlainExchange? Begin(string target, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        if (!TryReadTarget(target, host.Options.Region, host.Options.AccountId, out string name, out string? qualifier)
            || !host.TryGetFunction(name, out _)
            || (qualifier is not null && qualifier != FunctionDefinition.LatestVersion)
            || PlainHead.Find(head, "x-amz-invocation-type"u8, out string invocationType) > 1
            || PlainHead.Find(head, "x-amz-log-type"u8, out string logType) > 1
            || PlainHead.Find(head, "x-amz-client-context"u8, out string clientContext) > 1)
        {
            return null;
        }

        if (invocationType.Length == 0)
        {
            invocationType = "RequestResponse";
        }
        else if (invocationType == "Event")
        {
            return null;
        }

        byte[] payload = body.IsEmpty ? "{}"u8.ToArray() : body.ToArray();
        string requestId = Guid.NewGuid().ToString();
        Invocation invocation;
        try
        {
            Invoke.CheckInvocationType(invocationType);
            Invoke.CheckLogType(logType);
            if (!body.IsEmpty)
            {
                Invoke.ValidateJson(payload);
            }

            invocation = Invoke.NewInvocation(host, requestId, payload, qualifier, invocationType, logType, clientContext);
        }
        catch (LambdaException)
        {
            return null;
        }

        Interlocked.Increment(ref _taken);
        switch (invocationType)
        {
            case "DryRun":
                return new Answered(requestId, 204);
            default:
                return new Synchronous(invocation, host.TryInvokeWarm(name, invocation) ?? InvokeOnThreadPool(name, invocation, head));
        }
    }

    /// <summary>
    /// No idle environment: the invocation may start one, queue or be throttled, on the thread pool. Only here is the
    /// caller's key read (the warm path does not look at it): one signed by an execution environment is throttled
    /// rather than queued (see <see cref="Invocation.Authorization"/>).
    /// </summary>
    private Task<InvocationResult> InvokeOnThreadPool(string name, Invocation invocation, ReadOnlySpan<byte> head)
    {
        if (PlainHead.Find(head, "authorization"u8, out string authorization) > 0)
        {
            invocation.Authorization = authorization;
        }

        return Task.Run(() => host.InvokeAsync(name, invocation));
    }

    /// <summary>{name} (a name, ARN or partial ARN, escaped) and ?Qualifier= from the target; false for anything else.</summary>
    private static bool TryReadTarget(string target, string region, string accountId, out string name, out string? qualifier)
    {
        name = "";
        qualifier = null;
        int query = target.IndexOf('?', StringComparison.Ordinal);
        string path = query < 0 ? target : target[..query];
        if (query >= 0)
        {
            // Only the one parameter Invoke has; anything else is left to Kestrel's query parsing.
            string parameters = target[(query + 1)..];
            if (!parameters.StartsWith("Qualifier=", StringComparison.Ordinal) || parameters.Contains('&', StringComparison.Ordinal))
            {
                return false;
            }

            qualifier = Uri.UnescapeDataString(parameters["Qualifier=".Length..]);
            if (qualifier.Length == 0)
            {
                qualifier = null;
            }
        }

        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(Suffix, StringComparison.Ordinal) || path.Length <= Prefix.Length + Suffix.Length)
        {
            return false;
        }

        string escaped = path[Prefix.Length..^Suffix.Length];
        if (escaped.Contains('/', StringComparison.Ordinal) || !FunctionName.TryParse(Uri.UnescapeDataString(escaped), out name, out string? arnQualifier, out string? arnRegion, out string? arnAccount)
            || (arnRegion is not null && arnRegion != region) || (arnAccount is not null && arnAccount != accountId))
        {
            return false;
        }

        if (arnQualifier is not null)
        {
            if (qualifier is not null)
            {
                return false;
            }

            qualifier = arnQualifier;
        }

        return true;
    }

    private static void StatusLine(IBufferWriter<byte> output, int status)
    {
        WriteStatusLine(output, status);
        output.Write(DateLine());
    }

    private static void Header(IBufferWriter<byte> output, ReadOnlySpan<byte> name, string value)
    {
        output.Write(name);
        output.Write(": "u8);
        WriteAscii(output, value);
        output.Write("\r\n"u8);
    }

    /// <summary>DryRun (204): answered at once, with no body.</summary>
    private sealed class Answered(string requestId, int status) : IPlainExchange
    {
        public Task Completion => Task.CompletedTask;

        public void WriteAnswer(IBufferWriter<byte> output)
        {
            StatusLine(output, status);
            Header(output, "x-amzn-RequestId"u8, requestId);
            // A 204 has no body and, as Kestrel sends it, no Content-Length.
            output.Write("\r\n"u8);
        }

        public void Sent()
        {
        }
    }

    /// <summary>RequestResponse: the function's payload with Invoke's headers, or the service error it ran into.</summary>
    private sealed class Synchronous(Invocation invocation, Task<InvocationResult> result) : IPlainExchange
    {
        public Task Completion => result;

        public void WriteAnswer(IBufferWriter<byte> output)
        {
            if (!result.IsCompletedSuccessfully)
            {
                WriteError(output, result.Exception?.InnerException as LambdaException
                    ?? new LambdaException(500, "ServiceException", "An internal error occurred."));
                return;
            }

            InvocationResult answer = result.Result;
            StatusLine(output, 200);
            output.Write("Content-Type: application/json\r\n"u8);
            Header(output, "x-amzn-RequestId"u8, invocation.RequestId);
            Header(output, "X-Amz-Executed-Version"u8, answer.ExecutedVersion);
            Header(output, "X-Amzn-Trace-Id"u8, invocation.TraceId);
            if (answer.FunctionError is not null)
            {
                Header(output, "X-Amz-Function-Error"u8, answer.FunctionError);
            }

            if (answer.LogResult is not null)
            {
                Header(output, "X-Amz-Log-Result"u8, answer.LogResult);
            }

            output.Write("Content-Length: "u8);
            WriteNumber(output, answer.Payload.Length);
            output.Write("\r\n\r\n"u8);
            output.Write(answer.Payload.Span);
        }

        /// <summary>As <see cref="LambdaErrorWriter"/> writes it on Kestrel's path.</summary>
        private static void WriteError(IBufferWriter<byte> output, LambdaException error)
        {
            byte[] body = LambdaErrorWriter.Body(error);
            StatusLine(output, error.StatusCode);
            output.Write("Content-Type: application/json\r\n"u8);
            Header(output, "x-amzn-ErrorType"u8, error.ErrorType);
            Header(output, "x-amzn-RequestId"u8, Guid.NewGuid().ToString());
            if (error.StatusCode == 429)
            {
                output.Write("Retry-After: 1\r\n"u8);
            }

            output.Write("Content-Length: "u8);
            WriteNumber(output, body.Length);
            output.Write("\r\n\r\n"u8);
            output.Write(body);
        }

        // END/REPORT after the answer has left, as Invoke does on Kestrel's path.
        public void Sent()
        {
            if (result.IsCompletedSuccessfully)
            {
                result.Result.SettleLog();
            }
        }
    }
}
