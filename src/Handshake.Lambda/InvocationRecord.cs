using System.Globalization;
using System.Text.Json;

namespace Handshake.Lambda;

/// <summary>
/// The JSON document Lambda sends to an asynchronous invocation's destination: what was asked, what the function
/// answered, and why the record was sent (<c>Success</c>, <c>RetriesExhausted</c> or <c>EventAgeExceeded</c>). The shape is
/// the one in Lambda's developer guide ("Capturing records of asynchronous invocations").
/// </summary>
internal static class InvocationRecord
{
    public const string Success = "Success";
    public const string RetriesExhausted = "RetriesExhausted";
    public const string EventAgeExceeded = "EventAgeExceeded";

    /// <param name="functionArn">The invoked function's ARN with its qualifier ($LATEST, a version or an alias).</param>
    /// <param name="last">The last attempt's answer; null when the event expired before any attempt ran (inferred:
    /// the record then has no response fields).</param>
    public static byte[] Build(DateTimeOffset now, string requestId, string functionArn, string condition, int attempts,
        ReadOnlyMemory<byte> requestPayload, InvocationResult? last)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "1.0");
            writer.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteStartObject("requestContext");
            writer.WriteString("requestId", requestId);
            writer.WriteString("functionArn", functionArn);
            writer.WriteString("condition", condition);
            writer.WriteNumber("approximateInvokeCount", attempts);
            writer.WriteEndObject();
            writer.WritePropertyName("requestPayload");
            WriteJsonOrString(writer, requestPayload.Span);
            if (last is not null)
            {
                writer.WriteStartObject("responseContext");
                writer.WriteNumber("statusCode", 200);
                writer.WriteString("executedVersion", last.ExecutedVersion);
                if (last.FunctionError is { } error)
                {
                    writer.WriteString("functionError", error);
                }

                writer.WriteEndObject();
                writer.WritePropertyName("responsePayload");
                WriteJsonOrString(writer, last.Payload.Span);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A payload that is JSON is embedded as JSON (Lambda's records show objects); anything else as a string.</summary>
    private static void WriteJsonOrString(Utf8JsonWriter writer, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }

        Utf8JsonReader reader = new(payload);
        try
        {
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed == payload.Length || IsTrailingWhitespace(payload[(int)reader.BytesConsumed..]))
            {
                document.RootElement.WriteTo(writer);
                return;
            }
        }
        catch (JsonException)
        {
        }

        writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(payload));
    }

    private static bool IsTrailingWhitespace(ReadOnlySpan<byte> rest)
    {
        foreach (byte b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
