using System.Text.Json;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// What a DynamoDB JSON error looks like on the wire, as the fuzzes and the bad-input corpus check it: an object whose
/// <c>__type</c> is in one of the namespaces DynamoDB's errors come from, and whose <c>message</c> (or <c>Message</c>)
/// is a non-empty string, except for the two errors AWS sends bare.
/// </summary>
internal static class DynamoErrorShape
{
    private static readonly string[] Namespaces = ["com.amazonaws.dynamodb.v20120810#", "com.amazon.coral.validate#", "com.amazon.coral.service#"];

    /// <summary>Null when <paramref name="body"/> is such an error, with its name (after the '#'); otherwise what is wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> body, out string? name)
    {
        name = null;
        try
        {
            // An item may nest 32 levels of maps and lists, two JSON levels each, and an error may quote it.
            using JsonDocument document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 512 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("__type", out JsonElement type) || type.ValueKind != JsonValueKind.String)
            {
                return "a DynamoDB error without __type";
            }

            string code = type.GetString()!;
            if (Namespaces.FirstOrDefault(n => code.StartsWith(n, StringComparison.Ordinal)) is not { } space)
            {
                return $"__type {code} in no DynamoDB namespace";
            }

            name = code[space.Length..];
            bool message = (root.TryGetProperty("message", out JsonElement m) || root.TryGetProperty("Message", out m))
                && m.ValueKind == JsonValueKind.String && m.GetString()!.Length > 0;
            // AWS sends these two bare.
            return message || name is "SerializationException" or "UnknownOperationException" ? null : $"a DynamoDB {name} without a message";
        }
        catch (JsonException)
        {
            return "a DynamoDB error that is not JSON";
        }
    }

    public static string? Problem(string body) => Problem(System.Text.Encoding.UTF8.GetBytes(body), out _);
}
