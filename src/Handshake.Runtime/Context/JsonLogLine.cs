using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Handshake.Runtime.Context;

/// <summary>
/// One log line in the JSON format of AWS's .NET runtime (Amazon.Lambda.RuntimeSupport's JsonLogMessageFormatter,
/// chosen by <c>AWS_LAMBDA_LOG_FORMAT=JSON</c>): <c>{"timestamp","level","requestId","traceId","message"}</c> in that
/// order, <c>requestId</c> and <c>traceId</c> only when they are not empty, the level under its full .NET name
/// (<c>Information</c>, <c>Error</c>), where the text format uses the console's short labels. Written with
/// <see cref="Utf8JsonWriter"/> and its default escaping, as AWS's is: no reflection, so trimming and NativeAOT keep it.
/// </summary>
internal static class JsonLogLine
{
    internal static string Format(string timestamp, string level, string? requestId, string? traceId, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp", timestamp);
            writer.WriteString("level", level);
            if (!string.IsNullOrEmpty(requestId))
            {
                writer.WriteString("requestId", requestId);
            }

            if (!string.IsNullOrEmpty(traceId))
            {
                writer.WriteString("traceId", traceId);
            }

            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
