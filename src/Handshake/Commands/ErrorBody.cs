using System.Text.Json;

namespace Handshake.Commands;

/// <summary>
/// How `handshake invoke` and `handshake logs` print an error the endpoint answered: one line, the error type (Lambda's
/// x-amzn-ErrorType, else the HTTP status) and the message of Lambda's JSON body (<c>{"Type":"User","message":"..."}</c>,
/// or <c>{"message":"..."}</c> from the store's signature checks), not the body's JSON. An answer that is neither (a web
/// server or proxy on the wrong port, answering a page of HTML) is named as such, with its first line, not printed whole.
/// </summary>
internal static class ErrorBody
{
    // The longest part of a foreign answer's first line that is quoted.
    private const int QuotedLength = 120;

    public static string Describe(HttpResponseMessage response, string body, Uri endpoint)
    {
        int status = (int)response.StatusCode;
        if (response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? types))
        {
            return $"{types.First()}: {Message(body) ?? OneLine(body)}";
        }

        return Message(body) is { } message
            ? $"HTTP {status}: {message}"
            : $"HTTP {status}: {Foreign(response, body)}; is {endpoint} a Handshake endpoint (`handshake up`)?";
    }

    /// <summary>The body's <c>message</c> (or <c>Message</c>) member, on one line, when it is a JSON object with one.</summary>
    public static string? Message(string body)
    {
        try
        {
            // Parsed as a document, not deserialized: no reflection, so the NativeAOT build keeps it.
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if ((property.NameEquals("message") || property.NameEquals("Message"))
                        && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } message)
                    {
                        return message.ReplaceLineEndings(" ");
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON.
        }

        return null;
    }

    private static string OneLine(string body) => body.Trim().ReplaceLineEndings(" ");

    // "not Lambda's answer (text/html, 1234 bytes: "<!DOCTYPE html>")": what it is, without printing a page of it.
    private static string Foreign(HttpResponseMessage response, string body)
    {
        string type = response.Content.Headers.ContentType?.MediaType ?? "no Content-Type";
        string first = body.TrimStart().Split('\n', 2)[0].TrimEnd('\r', ' ');
        string quoted = first.Length > QuotedLength ? string.Concat(first.AsSpan(0, QuotedLength), "...") : first;
        return body.Length == 0
            ? $"not an answer of Lambda's API ({type}, no body)"
            : $"not an answer of Lambda's API ({type}, {System.Text.Encoding.UTF8.GetByteCount(body)} bytes: \"{quoted}\")";
    }
}
