using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// Lambda's REST-JSON errors: the type in x-amzn-ErrorType, and a body {"Type":"User","message":...}
/// ({"message":...} for a ValidationException).
/// </summary>
internal static class LambdaErrorWriter
{
    public static async Task WriteAsync(HttpContext context, LambdaException error)
    {
        HttpResponse response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        response.Headers["x-amzn-ErrorType"] = error.ErrorType;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (error.StatusCode == 429)
        {
            response.Headers.RetryAfter = "1";
        }

        byte[] body = Body(error);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body).ConfigureAwait(false);
    }

    /// <summary>
    /// JSON as Jackson writes it by default (Lambda's front end answers bad JSON with Jackson's parser errors, so it
    /// is taken to write with Jackson too; inferred, no raw capture with such a character was found): `'`, `+`, `&amp;`,
    /// `&lt;`, `&gt;` and non-ASCII text as they are, where System.Text.Json's default encoder writes `\u0027` and the
    /// like, and every validation message quotes its value (`Value 'Bogus' at 'invocationType'`). Both decode alike;
    /// only a raw HTTP reader (curl) sees the difference. The CloudWatch Logs API writes with the same options.
    /// </summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>{"Reason":...,"Type":"User"|"Service","message":...}, without Type for a ValidationException.</summary>
    public static byte[] Body(LambdaException error)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (error.Reason is not null)
            {
                writer.WriteString("Reason", error.Reason);
            }

            // AWS's request validation (a constraint of the API model), which answers before Lambda's own code, writes
            // the message alone: a raw capture of Invoke's answer to an unknown X-Amz-Invocation-Type is
            // {"message":"1 validation error detected: Value 'dry_run' at 'invocationType' ..."} (ex-aws/ex_aws#442,
            // 2017, 177 bytes as its Content-Length said), and LocalStack, whose Lambda tests are checked against AWS,
            // raises its Lambda ValidationException without the Type its other Lambda errors carry.
            if (error.ErrorType != "ValidationException")
            {
                writer.WriteString("Type", error.StatusCode >= 500 ? "Service" : "User");
            }

            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
