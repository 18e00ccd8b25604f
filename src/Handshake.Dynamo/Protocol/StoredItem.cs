using System.Buffers;
using System.Text.Json;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Items are stored as their canonical DynamoDB JSON, so GetItem without a projection copies the stored bytes
/// straight into the response. Serialization reuses one buffer and writer per thread: it never awaits.
/// </summary>
internal static class StoredItem
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static byte[] Serialize(Dictionary<string, AttributeValue> item)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, AttributeValueJson.WriterOptions);
        writer.Reset(buffer);
        AttributeValueJson.WriteMap(writer, item);
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        // Don't keep a 400 KB buffer alive per thread because of one large item.
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null;
            t_writer = null;
        }
        return bytes;
    }

    public static Dictionary<string, AttributeValue> Parse(byte[] stored) => AttributeValueJson.ParseStored(stored);
}
