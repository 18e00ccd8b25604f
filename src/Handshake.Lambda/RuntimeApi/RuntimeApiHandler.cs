using System.Globalization;
using Handshake.Lambda.Environments;
using Microsoft.AspNetCore.Http;

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
    private static readonly byte[] Accepted = """{"status":"OK"}"""u8.ToArray();

    public Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return WriteErrorAsync(context, 404, "NotFound", "Not found");
        }

        ReadOnlySpan<char> rest = path.AsSpan(Prefix.Length);
        string method = context.Request.Method;
        if (rest.SequenceEqual("invocation/next"))
        {
            return method == "GET" ? NextAsync(context) : WriteErrorAsync(context, 405, "MethodNotAllowed", "Method not allowed");
        }

        if (rest.SequenceEqual("init/error"))
        {
            return method == "POST" ? InitErrorAsync(context) : WriteErrorAsync(context, 405, "MethodNotAllowed", "Method not allowed");
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
                        ? AnswerAsync(context, requestId, isError: action[0] == 'e')
                        : WriteErrorAsync(context, 405, "MethodNotAllowed", "Method not allowed");
                }
            }
        }

        return WriteErrorAsync(context, 404, "NotFound", "Not found");
    }

    private async Task NextAsync(HttpContext context)
    {
        Task<Invocation?>? next = environment.BeginNext(out string? refusal);
        if (next is null)
        {
            await WriteErrorAsync(context, 403, "InvalidStateTransition", refusal ?? "Invalid state transition").ConfigureAwait(false);
            return;
        }

        // No timeout: the environment is frozen while this waits, for as long as no invocation comes.
        Invocation? invocation;
        try
        {
            invocation = await next.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (invocation is null)
        {
            await WriteErrorAsync(context, 500, "Runtime.ExitError", "Non-recoverable state. Runtime should exit promptly.").ConfigureAwait(false);
            return;
        }

        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        IHeaderDictionary headers = response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.DeadlineUnixMs.ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = environment.InvokedFunctionArn(invocation);
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        if (!string.IsNullOrEmpty(invocation.ClientContext))
        {
            headers["Lambda-Runtime-Client-Context"] = invocation.ClientContext;
        }

        if (!string.IsNullOrEmpty(invocation.CognitoIdentity))
        {
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.CognitoIdentity;
        }

        response.ContentLength = invocation.Payload.Length;
        await response.Body.WriteAsync(invocation.Payload, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task AnswerAsync(HttpContext context, string requestId, bool isError)
    {
        Invocation? invocation = environment.ClaimAnswer(requestId);
        if (invocation is null)
        {
            await WriteErrorAsync(context, 400, "InvalidRequestID", "Invalid request ID").ConfigureAwait(false);
            return;
        }

        byte[]? body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, MaxResponseBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            environment.CompleteTruncated(invocation);
            await WriteErrorAsync(context, 400, "TruncatedHTTPRequest", "Truncated HTTP request").ConfigureAwait(false);
            return;
        }

        if (body is null)
        {
            environment.CompleteTooLarge(invocation);
            await WriteErrorAsync(context, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).").ConfigureAwait(false);
            return;
        }

        if (isError)
        {
            environment.CompleteError(invocation, body, ErrorTypeHeader(context));
        }
        else
        {
            environment.CompleteResponse(invocation, body);
        }

        await WriteAcceptedAsync(context).ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        byte[] body = await RequestBody.ReadAsync(context.Request, MaxResponseBytes, context.RequestAborted).ConfigureAwait(false) ?? [];
        if (!environment.PostInitError(body, ErrorTypeHeader(context)))
        {
            await WriteErrorAsync(context, 403, "InvalidStateTransition", "Init error reported after init").ConfigureAwait(false);
            return;
        }

        await WriteAcceptedAsync(context).ConfigureAwait(false);
    }

    private static string? ErrorTypeHeader(HttpContext context)
    {
        string? value = context.Request.Headers["Lambda-Runtime-Function-Error-Type"];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static Task WriteAcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = 202;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Accepted.Length;
        return context.Response.Body.WriteAsync(Accepted).AsTask();
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string errorType, string message)
    {
        byte[] body = InvocationResult.ErrorPayload(errorType, message);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
