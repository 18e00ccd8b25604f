using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2014-11-13/functions/{name}/invoke-async/: the deprecated InvokeAsync, which the AWS CLI (`aws lambda
/// invoke-async`) and every SDK still send. An Event invocation by another door: queued, retried and logged as one,
/// answered 202 with no body (the model reads Status from the status code). Without it the request fell through to the
/// store, whose answer was `&lt;UnknownOperationException/&gt;` in text/plain.
/// </summary>
internal static class InvokeAsync
{
    /// <summary>
    /// "The payload limit is 256KB. For larger payloads, for up to 1MB, use Invoke." (AWS's API reference for
    /// InvokeAsync): the Event limit before 2025, which InvokeAsync kept.
    /// </summary>
    public const int MaxPayloadBytes = 256 * 1024;

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string functionName, string? qualifier)
    {
        HttpRequest request = context.Request;
        // The function's existence first, as Invoke checks it before the body.
        host.CheckQualifier(functionName, qualifier);
        byte[] payload = await RequestBody.ReadAsync(request, MaxPayloadBytes, context.RequestAborted).ConfigureAwait(false)
            // Inferred: what AWS answers an InvokeAsync over 256 KB was not found; this is its answer to an Event
            // invocation over the limit, which named 262144 bytes while that was the Event limit.
            ?? throw new LambdaException(413, "RequestEntityTooLargeException", $"{request.ContentLength ?? MaxPayloadBytes + 1L} byte payload is too large for the Event invocation type (limit {MaxPayloadBytes} bytes)");
        payload = Invoke.FunctionPayload(payload);

        string requestId = Guid.NewGuid().ToString();
        Invocation invocation = Invoke.NewInvocation(host, requestId, payload, qualifier, "Event", logType: "", clientContext: "");
        host.InvokeEvent(functionName, invocation);
        HttpResponse response = context.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        response.StatusCode = 202;
        response.ContentLength = 0;
    }
}
