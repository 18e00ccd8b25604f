using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2015-03-31/functions/{name}/invocations: RequestResponse (200 with the function's payload), Event (202,
/// queued), DryRun (204). Tail logs, X-Amz-Function-Error, X-Amz-Executed-Version, the 6 MB (sync) and 1 MB (Event) limits
/// and 429 throttles.
/// </summary>
internal static class Invoke
{
    /// <summary>Lambda's synchronous request limit.</summary>
    public const int MaxSyncPayloadBytes = 6 * 1024 * 1024;

    /// <summary>Lambda's asynchronous request limit (1 MB since 2025).</summary>
    public const int MaxAsyncPayloadBytes = 1024 * 1024;

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string functionName, string? qualifier)
    {
        HttpRequest request = context.Request;
        string invocationType = request.Headers["X-Amz-Invocation-Type"].ToString();
        if (invocationType.Length == 0)
        {
            invocationType = "RequestResponse";
        }

        CheckInvocationType(invocationType);
        string logType = request.Headers["X-Amz-Log-Type"].ToString();
        CheckLogType(logType);

        host.CheckQualifier(functionName, qualifier);

        int limit = invocationType == "Event" ? MaxAsyncPayloadBytes : MaxSyncPayloadBytes;
        byte[] payload = await RequestBody.ReadAsync(request, limit, context.RequestAborted).ConfigureAwait(false)
            ?? throw TooLarge(invocationType, request.ContentLength ?? limit + 1L);
        payload = FunctionPayload(payload);

        string requestId = Guid.NewGuid().ToString();
        HttpResponse response = context.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        if (invocationType == "DryRun")
        {
            response.StatusCode = 204;
            return;
        }

        Invocation invocation = NewInvocation(host, requestId, payload, qualifier, invocationType,
            logType, request.Headers["X-Amz-Client-Context"].ToString());

        if (invocationType == "Event")
        {
            host.InvokeEvent(functionName, invocation);
            response.StatusCode = 202;
            response.ContentLength = 0;
            return;
        }

        // Read by the host only when no environment is free at once: a function invoking another is throttled, not queued.
        invocation.Authorization = request.Headers.Authorization.ToString();
        InvocationResult result = await host.InvokeAsync(functionName, invocation, context.RequestAborted).ConfigureAwait(false);
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["X-Amz-Executed-Version"] = result.ExecutedVersion;
        response.Headers["X-Amzn-Trace-Id"] = invocation.TraceId;
        if (result.FunctionError is not null)
        {
            response.Headers["X-Amz-Function-Error"] = result.FunctionError;
        }

        if (result.LogResult is not null)
        {
            response.Headers["X-Amz-Log-Result"] = result.LogResult;
        }

        response.ContentLength = result.Payload.Length;
        try
        {
            await response.Body.WriteAsync(result.Payload, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            result.SettleLog();
        }
    }

    /// <exception cref="LambdaException">ValidationException (the model's enum) for a type Lambda does not know.</exception>
    internal static void CheckInvocationType(string invocationType)
    {
        if (invocationType is not ("RequestResponse" or "Event" or "DryRun"))
        {
            // The set in the order AWS printed it in the one raw answer found (ex-aws/ex_aws#442, 2017: `[DryRun,
            // RequestResponse, Event]`), not the model's order (Event, RequestResponse, DryRun).
            throw LambdaException.Validation($"1 validation error detected: Value '{invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [DryRun, RequestResponse, Event]");
        }
    }

    /// <exception cref="LambdaException">ValidationException (the model's enum) for a log type Lambda does not know.</exception>
    internal static void CheckLogType(string logType)
    {
        if (logType is not ("" or "None" or "Tail"))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]");
        }
    }

    /// <summary>
    /// A body over the limit: RequestTooLargeException for a synchronous call; for an Event, the wording (and type)
    /// Lambda answers an asynchronous call with, which names the payload's size (Content-Length; for a chunked body,
    /// the bytes read before the limit was passed).
    /// </summary>
    private static LambdaException TooLarge(string invocationType, long length) =>
        invocationType == "Event"
            ? new LambdaException(413, "RequestEntityTooLargeException", $"{length} byte payload is too large for the Event invocation type (limit {MaxAsyncPayloadBytes} bytes)")
            : new LambdaException(413, "RequestTooLargeException", $"Request must be smaller than {MaxSyncPayloadBytes} bytes for the InvokeFunction operation");

    /// <summary>The invocation a checked request asks for (the Kestrel path and the store's event loop build it alike).</summary>
    /// <exception cref="LambdaException">
    /// InvalidRequestContentException for an X-Amz-Client-Context that is not base64 of a JSON object,
    /// InvalidParameterValueException for one over 3,583 bytes.
    /// </exception>
    internal static Invocation NewInvocation(FunctionHost host, string requestId, byte[] payload, string? qualifier, string invocationType, string logType, string clientContext) =>
        new(requestId, payload)
        {
            Qualifier = qualifier,
            TraceId = TraceId(host.Options.Clock),
            // Checked for every type, passed on for synchronous calls only (as Lambda documents ClientContext).
            ClientContext = ClientContext(clientContext) is { } decoded && invocationType == "RequestResponse" ? decoded : null,
            TailLog = invocationType == "RequestResponse" && string.Equals(logType, "Tail", StringComparison.Ordinal),
            DeferLog = invocationType == "RequestResponse",
        };

    /// <summary>
    /// What the function is invoked with: the request's payload, which must be JSON, or {} when it has none (what the
    /// CLI's `lambda invoke` sends to a function).
    /// </summary>
    /// <exception cref="LambdaException">InvalidRequestContentException for a payload that is not JSON.</exception>
    internal static byte[] FunctionPayload(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return "{}"u8.ToArray();
        }

        ValidateJson(payload);
        return payload;
    }

    /// <exception cref="LambdaException">InvalidRequestContentException, as Lambda words it.</exception>
    internal static void ValidateJson(byte[] payload)
    {
        Utf8JsonReader reader = new(payload, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new LambdaException(400, "InvalidRequestContentException", $"Could not parse request body into json: Could not parse payload into json: {e.Message}");
        }

        // The reader does not check the bytes inside strings: a payload that is not UTF-8 went to the function. Lambda
        // refuses it with Jackson's words (aws/aws-lambda-developer-guide#382: "... Could not parse payload into json:
        // Invalid UTF-8 start byte 0x97"); an escaped lone surrogate, which Jackson reads, is passed on as it is.
        if (JsonText.InvalidUtf8(payload) is { } invalid)
        {
            throw new LambdaException(400, "InvalidRequestContentException", $"Could not parse request body into json: Could not parse payload into json: {invalid}");
        }
    }

    /// <summary>X-Amz-Client-Context is base64 of a JSON object; the runtime gets it decoded.</summary>
    private static string? ClientContext(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        if (header.Length > 3583)
        {
            throw LambdaException.InvalidParameter("Client context must be smaller than 3583 bytes.");
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            throw BadClientContext();
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(decoded);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw BadClientContext();
            }
        }
        catch (JsonException)
        {
            throw BadClientContext();
        }

        return Encoding.UTF8.GetString(decoded);
    }

    private static LambdaException BadClientContext() =>
        new(400, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");

    /// <summary>An X-Ray trace header: Root=1-{epoch hex}-{24 hex};Parent={16 hex};Sampled=0.</summary>
    internal static string TraceId(TimeProvider clock)
    {
        long seconds = clock.GetUtcNow().ToUnixTimeSeconds();
        Span<byte> random = stackalloc byte[20];
        // An X-Ray id only has to be unique, not secret: the shared PRNG, not OpenSSL's (2.4 µs less per invocation).
        Random.Shared.NextBytes(random);
        return $"Root=1-{seconds:x8}-{Convert.ToHexStringLower(random[..12])};Parent={Convert.ToHexStringLower(random[12..])};Sampled=0";
    }
}
