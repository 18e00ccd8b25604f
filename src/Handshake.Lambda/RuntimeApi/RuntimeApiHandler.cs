using System.Buffers;
using System.Globalization;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// The Runtime API (2018-06-01) of one environment: next, response, error, init/error, with the status codes and error
/// bodies of AWS's runtime emulator. Any runtime client that follows the API works unmodified.
/// </summary>
internal sealed class RuntimeApiHandler(ExecutionEnvironment environment)
{
    /// <summary>RIE's MaxPayloadSize: 6 MiB + 100 bytes.</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024 + 100;

    private const string Prefix = "/2018-06-01/runtime/";

    /// <summary>How long a started request head may take to arrive (see RuntimeApiConnection.StallTimeout).</summary>
    public TimeSpan HeadTimeout => environment.RuntimeApiHeadTimeout;
    private static readonly byte[] Accepted = """{"status":"OK"}"""u8.ToArray();

    /// <summary>Serves one request; false when the connection must close after it.</summary>
    public ValueTask<bool> HandleAsync(RuntimeApiRequest request, RuntimeApiConnection connection)
    {
        string path = request.Path;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return RefuseAsync(request, connection, 404, "NotFound", "Not found");
        }

        ReadOnlySpan<char> rest = path.AsSpan(Prefix.Length);
        string method = request.Method;
        if (rest.SequenceEqual("invocation/next"))
        {
            return method == "GET" ? NextAsync(request, connection) : RefuseAsync(request, connection, 405, "MethodNotAllowed", "Method not allowed");
        }

        if (rest.SequenceEqual("init/error"))
        {
            return method == "POST" ? InitErrorAsync(request, connection) : RefuseAsync(request, connection, 405, "MethodNotAllowed", "Method not allowed");
        }

        if (rest.StartsWith("invocation/"))
        {
            ReadOnlySpan<char> tail = rest["invocation/".Length..];
            int slash = tail.IndexOf('/');
            if (slash > 0)
            {
                string requestId = tail[..slash].ToString();
                ReadOnlySpan<char> action = tail[(slash + 1)..];
                if (action.SequenceEqual("response") || action.SequenceEqual("error"))
                {
                    return method == "POST"
                        ? AnswerAsync(request, connection, requestId, isError: action[0] == 'e')
                        : RefuseAsync(request, connection, 405, "MethodNotAllowed", "Method not allowed");
                }
            }
        }

        return RefuseAsync(request, connection, 404, "NotFound", "Not found");
    }

    private async ValueTask<bool> NextAsync(RuntimeApiRequest request, RuntimeApiConnection connection)
    {
        if (!await connection.DiscardBodyAsync(request).ConfigureAwait(false))
        {
            return Error(connection, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).", close: true);
        }

        Task<Invocation?>? next = environment.BeginNext(out string? refusal);
        if (next is null)
        {
            return Error(connection, 403, "InvalidStateTransition", refusal ?? "Invalid state transition");
        }

        // No timeout: the environment is frozen while this waits, for as long as no invocation comes.
        (bool closed, Invocation? invocation) = await connection.WaitAsync(next).ConfigureAwait(false);
        if (closed)
        {
            // Nothing can reach the runtime on it: the next event must not go there (and be lost to the timeout), and a
            // `next` the runtime sends on another connection must not be refused as a second one.
            environment.WithdrawNext(next);
            return false;
        }

        if (invocation is null)
        {
            return Error(connection, 500, "Runtime.ExitError", "Non-recoverable state. Runtime should exit promptly.");
        }

        List<KeyValuePair<string, string>> headers = new(6)
        {
            new("Lambda-Runtime-Aws-Request-Id", invocation.RequestId),
            new("Lambda-Runtime-Deadline-Ms", invocation.DeadlineUnixMs.ToString(CultureInfo.InvariantCulture)),
            new("Lambda-Runtime-Invoked-Function-Arn", environment.InvokedFunctionArn(invocation)),
            new("Lambda-Runtime-Trace-Id", invocation.TraceId),
        };
        if (!string.IsNullOrEmpty(invocation.ClientContext))
        {
            headers.Add(new("Lambda-Runtime-Client-Context", invocation.ClientContext));
        }

        if (!string.IsNullOrEmpty(invocation.CognitoIdentity))
        {
            headers.Add(new("Lambda-Runtime-Cognito-Identity", invocation.CognitoIdentity));
        }

        connection.Respond(200, invocation.Payload.Span, headers: headers);
        return true;
    }

    private async ValueTask<bool> AnswerAsync(RuntimeApiRequest request, RuntimeApiConnection connection, string requestId, bool isError)
    {
        bool streaming = false;
        if (!isError && request.ResponseMode is { } mode)
        {
            streaming = mode.Equals("streaming", StringComparison.OrdinalIgnoreCase);
            if (!streaming && !mode.Equals("buffered", StringComparison.OrdinalIgnoreCase))
            {
                // As RIE: the invocation (when the id is the current one) fails with Runtime.InvalidResponseModeHeader,
                // and the runtime gets 400 whatever the id. The 400 is on the wire first: failing the invocation resets
                // the environment, whose shutdown would otherwise close the connection under it.
                Invocation? failed = environment.ClaimAnswer(requestId);
                bool open = await RefuseAsync(request, connection, 400, "InvalidFunctionResponseMode", "Invalid function response mode").ConfigureAwait(false);
                await connection.FlushAsync().ConfigureAwait(false);
                failed?.Completion.TrySetResult(InvocationResult.Error("Runtime.InvalidResponseModeHeader", $"RequestId: {failed.RequestId} Error: Invalid function response mode", reset: true));
                return open;
            }
        }

        Invocation? invocation = environment.ClaimAnswer(requestId);
        if (invocation is null)
        {
            return await RefuseAsync(request, connection, 400, "InvalidRequestID", "Invalid request ID").ConfigureAwait(false);
        }

        if (streaming)
        {
            return await StreamAsync(request, connection, invocation).ConfigureAwait(false);
        }

        byte[]? body;
        try
        {
            body = await connection.ReadBodyAsync(request, MaxResponseBytes).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return await AnswerThenFailAsync(connection, 400, "TruncatedHTTPRequest", "Truncated HTTP request",
                () => environment.CompleteTruncated(invocation)).ConfigureAwait(false);
        }
        catch
        {
            // The connection failed under the body (a reset): the answer was claimed, so nothing else would end the
            // invocation before its timeout. As a streamed answer does.
            environment.CompleteTruncated(invocation);
            throw;
        }

        if (body is null)
        {
            // The rest of the body is not read, so nothing after it on this connection can be found: close.
            return await AnswerThenFailAsync(connection, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).",
                () => environment.CompleteTooLarge(invocation)).ConfigureAwait(false);
        }

        if (isError)
        {
            environment.CompleteError(invocation, body, request.FunctionErrorType);
        }
        else
        {
            environment.CompleteResponse(invocation, body);
        }

        connection.Respond(202, Accepted);
        return true;
    }

    /// <summary>
    /// A response posted in streaming mode: each piece goes to the caller as it arrives when the caller streams
    /// (InvokeWithResponseStream, up to its limit), or is buffered up to the 6 MB of a buffered answer (Invoke). An
    /// error in the trailers fails the invocation with the runtime's type and body, and is still accepted with 202, as
    /// RIE does. The invocation completes (END/REPORT, the environment released) only when the body has ended.
    /// </summary>
    private async ValueTask<bool> StreamAsync(RuntimeApiRequest request, RuntimeApiConnection connection, Invocation invocation)
    {
        ResponseStream? stream = invocation.Stream;
        ArrayBufferWriter<byte>? buffer = stream is null ? new ArrayBufferWriter<byte>() : null;
        long limit = stream?.Limit ?? MaxResponseBytes;
        // Passed on as the caller's Content-Type header: only a value an HTTP header can carry as it is.
        string? contentType = request.ContentType;
        stream?.Start(contentType is not null && !contentType.AsSpan().ContainsAnyExceptInRange(' ', '~') ? contentType : DefaultStreamContentType);
        StreamedBody body;
        try
        {
            body = await connection.ReadStreamingBodyAsync(request, limit, piece =>
            {
                if (stream is not null)
                {
                    return stream.WriteAsync(piece);
                }

                buffer!.Write(piece.Span);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            stream?.Complete();
            return await AnswerThenFailAsync(connection, 400, "TruncatedHTTPRequest", "Truncated HTTP request",
                () => environment.CompleteTruncated(invocation)).ConfigureAwait(false);
        }
        catch
        {
            // The connection failed under the stream (a reset): the answer was claimed, so nothing else would end the
            // invocation before its timeout.
            stream?.Complete();
            environment.CompleteTruncated(invocation);
            throw;
        }

        // Every piece is written before the invocation completes, so the caller reads them all before its end.
        stream?.Complete();
        if (body.TooLarge)
        {
            // The rest of the body is not read: close.
            return await AnswerThenFailAsync(connection, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({limit} bytes).",
                () => invocation.Completion.TrySetResult(InvocationResult.Error(
                    "Function.ResponseSizeTooLarge",
                    $"Response payload size exceeded maximum allowed payload size ({limit} bytes).",
                    reset: true))).ConfigureAwait(false);
        }

        if (body.ErrorType is not null || body.ErrorBody is not null)
        {
            environment.CompleteError(invocation, DecodeErrorBody(body.ErrorBody), body.ErrorType);
        }
        else
        {
            environment.CompleteResponse(invocation, buffer?.WrittenSpan.ToArray() ?? []);
        }

        connection.Respond(202, Accepted);
        return true;
    }

    /// <summary>What a runtime streams when it names no Content-Type (the Node.js runtime's default too).</summary>
    public const string DefaultStreamContentType = "application/octet-stream";

    /// <summary>The trailer's error body is base64 (a trailer cannot hold newlines); not base64, it is taken as it is.</summary>
    private static byte[] DecodeErrorBody(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return [];
        }

        byte[] decoded = new byte[body.Length];
        return Convert.TryFromBase64String(body, decoded, out int written) ? decoded[..written] : System.Text.Encoding.UTF8.GetBytes(body);
    }

    private async ValueTask<bool> InitErrorAsync(RuntimeApiRequest request, RuntimeApiConnection connection)
    {
        byte[]? body;
        try
        {
            body = await connection.ReadBodyAsync(request, MaxResponseBytes).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return Error(connection, 400, "TruncatedHTTPRequest", "Truncated HTTP request", close: true);
        }

        if (body is null)
        {
            return Error(connection, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).", close: true);
        }

        if (environment.PostInitError(body, request.FunctionErrorType) is { } refusal)
        {
            return Error(connection, 403, "InvalidStateTransition", refusal);
        }

        connection.Respond(202, Accepted);
        await connection.FlushAsync().ConfigureAwait(false);
        environment.InitErrorAccepted();
        return true;
    }

    /// <summary>An error answer for a request whose body is not wanted: the body is skipped (or, too large, the connection closes).</summary>
    private static async ValueTask<bool> RefuseAsync(RuntimeApiRequest request, RuntimeApiConnection connection, int status, string errorType, string message)
    {
        bool skipped;
        try
        {
            skipped = await connection.DiscardBodyAsync(request).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            skipped = false;
        }

        return Error(connection, status, errorType, message, close: !skipped);
    }

    /// <summary>
    /// Answers an error and closes, then fails the invocation with <paramref name="fail"/>. The answer is on the wire
    /// first: failing the invocation resets the environment, whose shutdown closes the connection, and an answer still
    /// queued then never left (the runtime, or a test playing one, saw a reset instead of its 400 or 413).
    /// </summary>
    private static async ValueTask<bool> AnswerThenFailAsync(RuntimeApiConnection connection, int status, string errorType, string message, Action fail)
    {
        Error(connection, status, errorType, message, close: true);
        try
        {
            await connection.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            // Failed even when the runtime is gone: nothing else would end the invocation before its timeout.
            fail();
        }

        return false;
    }

    private static bool Error(RuntimeApiConnection connection, int status, string errorType, string message, bool close = false)
    {
        connection.Respond(status, InvocationResult.ErrorPayload(errorType, message), close);
        return !close;
    }
}
