using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Lambda.InvokeApi;

/// <summary>Control-plane bodies: parse a JSON request, write a JSON response.</summary>
internal static class JsonResponse
{
    /// <summary>
    /// Lambda's request size limit, named in its 413 (RequestEntityTooLargeException `Request must be smaller than N
    /// bytes for the OPERATION operation`): 69905067 in public reports up to 2021, 70167211 in LocalStack's parity
    /// snapshots since AWS changed its checks in 2023-11, which is the one kept here.
    /// </summary>
    private const int MaxControlPlaneBody = 70_167_211;

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using MemoryStream buffer = new();
        // Written as Lambda writes it (see LambdaErrorWriter.WriterOptions): a Description of "it's" comes back as it was.
        using (Utf8JsonWriter writer = new(buffer, LambdaErrorWriter.WriterOptions))
        {
            write(writer);
        }

        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).ConfigureAwait(false);
    }

    /// <summary>The answer of the operations that answer nothing: 204 with its request id.</summary>
    public static Task NoContent(HttpContext context)
    {
        context.Response.StatusCode = 204;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The body of a control-plane request, checked against the operation's <paramref name="input"/> shape: every
    /// member of the wrong JSON type is refused here, in one place, before the operation reads any of them. Operations
    /// read the body before they look anything up, because Lambda deserializes it first: a wrong-typed member is 400
    /// even for a function that does not exist.
    /// </summary>
    /// <exception cref="LambdaException">
    /// RequestEntityTooLargeException, or InvalidRequestContentException for bad JSON, text that is not UTF-8 (or an escaped
    /// lone surrogate, see <see cref="JsonText"/>) or a member of the wrong JSON type.
    /// </exception>
    public static async Task<JsonDocument> ReadAsync(HttpContext context, string operation, RequestShape input)
    {
        // The port's Kestrel limit is DynamoDB's 16 MB (`up`), Kestrel's default 30 MB otherwise: either refused a
        // CreateFunction with a zip well under Lambda's 50 MB by closing the connection. Raised to Lambda's limit for
        // this request, which is then refused here with Lambda's error.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit)
        {
            kestrelLimit.MaxRequestBodySize = MaxControlPlaneBody;
        }

        // "Smaller than" taken as Lambda words it: a body of exactly the limit is refused.
        byte[] body = await RequestBody.ReadAsync(context.Request, MaxControlPlaneBody - 1, context.RequestAborted).ConfigureAwait(false)
            ?? throw new LambdaException(413, "RequestEntityTooLargeException", $"Request must be smaller than {MaxControlPlaneBody} bytes for the {operation} operation");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        }
        catch (JsonException e)
        {
            throw new LambdaException(400, "InvalidRequestContentException", $"Could not parse request body into json: {e.Message}");
        }

        try
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new LambdaException(400, "InvalidRequestContentException", "Could not parse request body into json: the body is not a JSON object");
            }

            // Before the shape check, which reads member names: a name or string .NET cannot read is Lambda's 400, not a 500.
            if (JsonText.Unreadable(body, document.RootElement) is { } unreadable)
            {
                throw new LambdaException(400, "InvalidRequestContentException", $"Could not parse request body into json: {unreadable}");
            }

            input.Check(document.RootElement);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A Description member (functions, versions, aliases): at most 256 characters in Lambda's model, which AWS's request
    /// validation enforces before Lambda. It was not checked, so what deployed here could be refused by AWS.
    /// </summary>
    /// <exception cref="LambdaException">ValidationException, with the model's wording.</exception>
    public static string? Description(JsonElement element)
    {
        string? description = String(element, "Description");
        if (description is { Length: > 256 })
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256");
        }

        return description;
    }

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <exception cref="LambdaException">
    /// InvalidRequestContentException when present but not a JSON number (<see cref="RequestShape"/>); ValidationException
    /// (the model's range) when a number that is not an integer in range.
    /// </exception>
    /// <param name="path">The member's path in the messages of the model's checks (default: the name, camel-cased).</param>
    public static int? Int(JsonElement element, string name, int min, int max, string? path = null)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // The body was checked against its operation's shape when it was read; checked again so that a member left out of
        // a shape is the same 400, not the InvalidOperationException TryGetInt32 throws on a string (a bare 500).
        RequestShape.Integer.Check(value, name);
        if (!value.TryGetInt32(out int number) || number < min || number > max)
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{value.GetRawText()}' at '{path ?? char.ToLowerInvariant(name[0]) + name[1..]}' failed to satisfy constraint: Member must have value {(number < min ? "greater than or equal to " + min : "less than or equal to " + max)}");
        }

        return number;
    }
}
