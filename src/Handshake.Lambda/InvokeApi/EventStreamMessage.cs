using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// One message of AWS's event stream encoding (application/vnd.amazon.eventstream), as InvokeWithResponseStream
/// answers: a prelude (total length, headers length, both big-endian uint32, and the CRC32 of those 8 bytes), the
/// headers (each: name length byte, name, type 7 = string, value length as big-endian uint16, value), the payload,
/// and the CRC32 of everything before it. Every message here is an event: <c>:message-type</c> is <c>event</c>.
/// </summary>
internal static class EventStreamMessage
{
    private const byte StringHeaderType = 7;

    /// <summary>Writes one event message with headers :event-type, :content-type and :message-type.</summary>
    public static void WriteEvent(IBufferWriter<byte> output, string eventType, string contentType, ReadOnlySpan<byte> payload)
    {
        int headersLength = HeaderLength(":event-type", eventType) + HeaderLength(":content-type", contentType) + HeaderLength(":message-type", "event");
        int totalLength = 12 + headersLength + payload.Length + 4;
        Span<byte> message = output.GetSpan(totalLength)[..totalLength];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)totalLength);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], Crc32.HashToUInt32(message[..8]));
        int at = 12;
        at += WriteHeader(message[at..], ":event-type", eventType);
        at += WriteHeader(message[at..], ":content-type", contentType);
        at += WriteHeader(message[at..], ":message-type", "event");
        payload.CopyTo(message[at..]);
        at += payload.Length;
        BinaryPrimitives.WriteUInt32BigEndian(message[at..], Crc32.HashToUInt32(message[..at]));
        output.Advance(totalLength);
    }

    private static int HeaderLength(string name, string value) => 1 + Encoding.UTF8.GetByteCount(name) + 1 + 2 + Encoding.UTF8.GetByteCount(value);

    private static int WriteHeader(Span<byte> destination, string name, string value)
    {
        int nameLength = Encoding.UTF8.GetBytes(name, destination[1..]);
        destination[0] = (byte)nameLength;
        int at = 1 + nameLength;
        destination[at++] = StringHeaderType;
        int valueLength = Encoding.UTF8.GetBytes(value, destination[(at + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)valueLength);
        return at + 2 + valueLength;
    }
}
