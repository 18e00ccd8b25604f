using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// A request to a function URL, <c>{url-id}.lambda-url.{region}.localhost[:port]</c> on the shared endpoint (AWS's
/// <c>{url-id}.lambda-url.{region}.on.aws</c>): any method and path. The function is invoked synchronously with the
/// payload format 2.0 event (<see cref="FunctionUrlEvent"/>) and its answer becomes the HTTP response
/// (<see cref="FunctionUrlResponse"/>).
/// </summary>
/// <remarks>
/// The answers that are not the function's, as AWS gives them where it documents them and inferred where it does
/// not (README, Function URLs): an unknown, deleted or unsigned-for-AWS_IAM URL 403 <c>{"Message":"Forbidden"}</c>
/// (AccessDeniedException); a function error or an answer that is not a response 502 <c>Internal Server Error</c>;
/// a throttle 429 <c>{"Message":"Rate Exceeded."}</c>; a body over Lambda's 6 MB synchronous limit 413
/// <c>{"Message":"Request Entity Too Large"}</c>.
/// </remarks>
internal static class InvokeFunctionUrl
{
    private const string HostInfix = ".lambda-url.";

    /// <summary>True when the Host names a function URL: one string search, so the store's requests pay almost nothing.</summary>
    public static bool IsFunctionUrlHost(string? host) => host is not null && host.Contains(HostInfix, StringComparison.OrdinalIgnoreCase);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, FunctionUrlAuthorizer authorize)
    {
        HttpRequest request = context.Request;
        if (!TryReadUrlId(request.Host.Host, host.Options.Region, out string urlId) || !host.TryGetFunctionUrl(urlId, out FunctionUrlConfig config))
        {
            await ForbiddenAsync(context).ConfigureAwait(false);
            return;
        }

        if (config.Cors is { } cors && FunctionUrlCorsHeaders.IsPreflight(request))
        {
            // Answered from the URL's configuration, without the function and without a signature (a browser's
            // preflight carries none), as AWS documents: the configured CORS headers alone.
            FunctionUrlCorsHeaders.WritePreflight(request, context.Response, cors);
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            context.Response.ContentLength = 0;
            return;
        }

        byte[]? body = await RequestBody.ReadAsync(request, Invoke.MaxSyncPayloadBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await MessageAsync(context, 413, null, "Request Entity Too Large").ConfigureAwait(false);
            return;
        }

        FunctionUrlEvent.IamCaller? caller = null;
        if (config.AuthType == FunctionUrlConfig.AuthIam)
        {
            if (authorize(request, body) is not { } accessKey)
            {
                await ForbiddenAsync(context).ConfigureAwait(false);
                return;
            }

            caller = new FunctionUrlEvent.IamCaller(accessKey);
        }

        string requestId = Guid.NewGuid().ToString();
        string traceId = Invoke.TraceId(host.Options.Clock);
        Invocation invocation = new(requestId, FunctionUrlEvent.Build(host, context, config, body, requestId, traceId, caller))
        {
            Qualifier = config.Qualifier,
            TraceId = traceId,
            DeferLog = true,
        };
        if (config.InvokeMode == FunctionUrlConfig.ResponseStream)
        {
            await FunctionUrlStream.AnswerAsync(host, context, config, invocation).ConfigureAwait(false);
            return;
        }

        InvocationResult result;
        try
        {
            result = await host.InvokeAsync(config.FunctionName, invocation, context.RequestAborted).ConfigureAwait(false);
        }
        catch (LambdaException e)
        {
            await FailedAsync(context, e, requestId).ConfigureAwait(false);
            return;
        }

        await AnswerAsync(context, config, result, requestId, traceId).ConfigureAwait(false);
    }

    /// <summary>A whole answer: mapped to the response, or 502 for a function error or an answer that is no response.</summary>
    internal static async Task AnswerAsync(HttpContext context, FunctionUrlConfig config, InvocationResult result, string requestId, string traceId)
    {
        try
        {
            FunctionUrlResponse? answer = result.FunctionError is null ? FunctionUrlResponse.Map(result.Payload) : null;
            if (answer is null)
            {
                await BadGatewayAsync(context, requestId).ConfigureAwait(false);
                return;
            }

            await WriteAsync(context, answer, config.Cors, requestId, traceId).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted)
        {
            // Kestrel refused a header as it was set (FunctionUrlResponse checks what it knows of): a 502, not a 500.
            context.Response.Headers.Clear();
            await BadGatewayAsync(context, requestId).ConfigureAwait(false);
        }
        finally
        {
            result.SettleLog();
        }
    }

    /// <summary>The invocation did not run: a throttle 429; a function gone since the lookup (the URL went with it) 403; else 502.</summary>
    internal static Task FailedAsync(HttpContext context, LambdaException error, string requestId) => error.StatusCode switch
    {
        429 => MessageAsync(context, 429, "TooManyRequestsException", "Rate Exceeded."),
        404 => ForbiddenAsync(context),
        _ => BadGatewayAsync(context, requestId),
    };

    /// <summary>The url-id in <c>{url-id}.lambda-url.{region}.{anything}</c>, when the region is the host's.</summary>
    internal static bool TryReadUrlId(string host, string region, out string urlId)
    {
        urlId = "";
        int infix = host.IndexOf(HostInfix, StringComparison.OrdinalIgnoreCase);
        if (infix <= 0)
        {
            return false;
        }

        string rest = host[(infix + HostInfix.Length)..];
        if (!rest.StartsWith(region, StringComparison.OrdinalIgnoreCase) || rest.Length > region.Length && rest[region.Length] != '.')
        {
            return false;
        }

        urlId = host[..infix].ToLowerInvariant();
        return true;
    }

    private static async Task WriteAsync(HttpContext context, FunctionUrlResponse answer, FunctionUrlCors? cors, string requestId, string traceId)
    {
        HttpResponse response = context.Response;
        WriteHead(context, answer, cors, requestId, traceId);
        if (FunctionUrlResponse.HasNoBody(answer.StatusCode))
        {
            return; // Kestrel throws on a body (or a Content-Length) for 204, 205 and 304.
        }

        response.ContentLength = answer.Body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The status and headers of the function's answer (buffered, or a stream's prelude), with the URL's own.</summary>
    internal static void WriteHead(HttpContext context, FunctionUrlResponse answer, FunctionUrlCors? cors, string requestId, string traceId)
    {
        HttpResponse response = context.Response;
        response.StatusCode = answer.StatusCode;
        bool contentType = false;
        foreach ((string name, string value) in answer.Headers)
        {
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue; // The host frames the body itself.
            }

            contentType |= name.Equals("content-type", StringComparison.OrdinalIgnoreCase);
            response.Headers.Append(name, value);
        }

        foreach (string cookie in answer.Cookies)
        {
            response.Headers.Append("Set-Cookie", cookie);
        }

        if (!contentType)
        {
            // Inferred from AWS's documented examples, where a response with no content-type is application/json.
            response.ContentType = "application/json";
        }

        if (cors is not null)
        {
            FunctionUrlCorsHeaders.WriteActual(context.Request, response, cors);
        }

        response.Headers["x-amzn-RequestId"] = requestId;
        response.Headers["X-Amzn-Trace-Id"] = traceId;
    }

    internal static Task ForbiddenAsync(HttpContext context) => MessageAsync(context, 403, "AccessDeniedException", "Forbidden");

    internal static async Task BadGatewayAsync(HttpContext context, string requestId)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 502;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers["x-amzn-RequestId"] = requestId;
        byte[] body = "Internal Server Error"u8.ToArray();
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The front end's own answers: <c>{"Message":...}</c>, with x-amzn-ErrorType when AWS sends one.</summary>
    internal static async Task MessageAsync(HttpContext context, int status, string? errorType, string message)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (errorType is not null)
        {
            response.Headers["x-amzn-ErrorType"] = errorType;
        }

        using MemoryStream body = new();
        using (Utf8JsonWriter writer = new(body))
        {
            writer.WriteStartObject();
            writer.WriteString("Message", message);
            writer.WriteEndObject();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>
/// Checks an AWS_IAM function URL request's SigV4 signature (over the body read): the signer's access key id, or
/// null to refuse. The composition decides how strict (see <c>handshake up --auth</c>).
/// </summary>
public delegate string? FunctionUrlAuthorizer(HttpRequest request, ReadOnlySpan<byte> body);
