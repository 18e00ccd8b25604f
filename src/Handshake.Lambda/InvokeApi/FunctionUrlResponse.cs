using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// What a function's answer becomes on a URL, as AWS documents it (urls-invocation.html, "Response payload format"):
/// a JSON object with a <c>statusCode</c> is a response (statusCode, headers, cookies as Set-Cookie headers, body,
/// isBase64Encoded); any other valid JSON is "inferred": 200, <c>content-type: application/json</c>, the JSON as the
/// body. A function's answer that is neither (not JSON, a statusCode that is not an integer from 200 to 599, a body
/// that is not a string, bad base64) is refused as AWS's front end refuses it: null, which the caller answers 502.
/// </summary>
internal sealed class FunctionUrlResponse
{
    public int StatusCode { get; private init; } = 200;

    /// <summary>The function's headers in order (multiValueHeaders after headers), with repeated names kept.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public List<string> Cookies { get; } = [];

    public byte[] Body { get; private init; } = [];

    public static FunctionUrlResponse? Map(ReadOnlyMemory<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out JsonElement status))
            {
                return Inferred(root, payload);
            }

            if (status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out int code) || !IsFinalStatus(code))
            {
                return null;
            }

            byte[] body = [];
            bool base64 = root.TryGetProperty("isBase64Encoded", out JsonElement encoded) && encoded.ValueKind == JsonValueKind.True;
            if (root.TryGetProperty("body", out JsonElement bodyElement) && bodyElement.ValueKind != JsonValueKind.Null)
            {
                if (bodyElement.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                string text = bodyElement.GetString()!;
                try
                {
                    body = base64 ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
                }
                catch (FormatException)
                {
                    return null;
                }
            }

            FunctionUrlResponse response = new() { StatusCode = code, Body = body };
            response.ReadHeadersAndCookies(root);
            return response.Invalid ? null : response;
        }
    }

    /// <summary>
    /// The metadata a streaming function writes first (awslambda.HttpResponseStream.from): statusCode (200 when
    /// absent), headers and cookies, then eight zero bytes and the body. Null when it is not a JSON object or its
    /// statusCode is not an integer from 200 to 599.
    /// </summary>
    public static FunctionUrlResponse? MapPrelude(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            int code = 200;
            if (root.ValueKind != JsonValueKind.Object
                || (root.TryGetProperty("statusCode", out JsonElement status) && (status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out code) || !IsFinalStatus(code))))
            {
                return null;
            }

            FunctionUrlResponse response = new() { StatusCode = code };
            response.ReadHeadersAndCookies(root);
            return response.Invalid ? null : response;
        }
    }

    /// <summary>
    /// True for 204, 205 and 304, which HTTP gives no body (Kestrel throws on one): the function's body is dropped and
    /// no Content-Length sent, as for HEAD.
    /// </summary>
    public static bool HasNoBody(int status) => status is 204 or 205 or 304;

    /// <summary>
    /// A status the host can answer with: 200..599. An interim 1xx would be read by the client as a provisional
    /// answer followed by another that never comes (101 would even switch protocols), so it is refused (502); AWS does
    /// not document what its front end does with one (inferred, README).
    /// </summary>
    private static bool IsFinalStatus(int code) => code is >= 200 and <= 599;

    private void ReadHeadersAndCookies(JsonElement root)
    {
        if (root.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                if (Scalar(header.Value) is { } value)
                {
                    AddHeader(header.Name, value);
                }
            }
        }

        // Not in AWS's function URL documentation (it is API Gateway payload format 1.0's member): accepted because
        // frameworks written for both formats send it; each value becomes its own header (inferred).
        if (root.TryGetProperty("multiValueHeaders", out JsonElement multi) && multi.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in multi.EnumerateObject())
            {
                if (header.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (JsonElement item in header.Value.EnumerateArray())
                {
                    if (Scalar(item) is { } value)
                    {
                        AddHeader(header.Name, value);
                    }
                }
            }
        }

        if (root.TryGetProperty("cookies", out JsonElement cookies) && cookies.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement cookie in cookies.EnumerateArray())
            {
                if (cookie.ValueKind == JsonValueKind.String)
                {
                    Invalid |= !IsHeaderValue(cookie.GetString()!);
                    Cookies.Add(cookie.GetString()!);
                }
            }
        }
    }

    /// <summary>
    /// No statusCode: 200 with the answer as the JSON body. A JSON string is the one exception: its value is the body
    /// (AWS's documented example answers the string's text; LocalStack's parity tests do the same).
    /// </summary>
    private static FunctionUrlResponse Inferred(JsonElement root, ReadOnlyMemory<byte> payload)
    {
        FunctionUrlResponse response = new()
        {
            Body = root.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(root.GetString()!) : payload.ToArray(),
        };
        response.Headers.Add(new("content-type", "application/json"));
        return response;
    }

    /// <summary>
    /// A header the function named. One that HTTP cannot carry (a name that is not a token, a value with control
    /// characters or outside printable ASCII) makes the whole answer invalid, a 502, rather than a failure on the wire.
    /// </summary>
    private void AddHeader(string name, string value)
    {
        bool valid = name.Length > 0;
        foreach (char c in name)
        {
            valid &= c is > ' ' and < (char)127 && !"\"(),/:;<=>?@[\\]{}".Contains(c);
        }

        Invalid |= !valid || !IsHeaderValue(value);
        Headers.Add(new(name, value));
    }

    /// <summary>
    /// Printable ASCII and tab: what Kestrel sends by default. Latin-1 (0x80-0xFF) is valid HTTP but Kestrel refuses it
    /// with an exception once the head is being written, which would be a 500 (or a stream left open), not a 502.
    /// </summary>
    internal static bool IsHeaderValue(string value)
    {
        foreach (char c in value)
        {
            if (c != '\t' && c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a header could not be sent: the answer is refused (502).</summary>
    private bool Invalid { get; set; }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };
}
