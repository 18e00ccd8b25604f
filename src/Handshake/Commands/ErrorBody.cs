using System.Net.Http.Headers;
using System.Text.Json;

namespace Handshake.Commands;

/// <summary>
/// How `handshake invoke` and `handshake logs` print an error the endpoint answered: one line, the error type (Lambda's
/// x-amzn-ErrorType, else the HTTP status) and the message of Lambda's JSON body (<c>{"Type":"User","message":"..."}</c>,
/// or <c>{"message":"..."}</c> from the store's signature checks), not the body's JSON.
/// </summary>
internal static class ErrorBody
{
    public static string Describe(HttpResponseHeaders headers, int status, string body)
    {
        string type = headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? types) ? types.First() : $"HTTP {status}";
        return $"{type}: {Message(body)}";
    }

    /// <summary>The body's <c>message</c> (or <c>Message</c>) member when it is a JSON object with one, else the body on one line.</summary>
    public static string Message(string body)
    {
        try
        {
            // Parsed as a document, not deserialized: no reflection, so the NativeAOT build keeps it.
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("message") || property.NameEquals("Message"))
                    {
                        if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } message)
                        {
                            return message.ReplaceLineEndings(" ");
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the body as it is.
        }

        return body.Trim().ReplaceLineEndings(" ");
    }
}
