using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Handshake.Http;

/// <summary>
/// The pieces of an HTTP/1.1 response head that Handshake's own servers write into a connection's output (the store's
/// plain requests and Invoke calls, the Runtime API): the status line, the Date line, ASCII text and decimal numbers.
/// One source file, linked into Handshake.Dynamo and Handshake.Lambda as an internal class of each (Lambda's reference
/// to Dynamo does not see Dynamo's internals).
/// </summary>
internal static class HttpResponseText
{
    // One object, swapped whole: connections format responses on different threads, and a (second, line) pair held in
    // two fields could be read half old, half new.
    private static CachedDate _date = new(-1, []);

    /// <summary>RFC 9110 asks an origin server with a clock for a Date header; formatted once a second, as Kestrel does.</summary>
    public static byte[] DateLine()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        long second = now.ToUnixTimeSeconds();
        CachedDate cached = Volatile.Read(ref _date);
        if (cached.Second != second)
        {
            cached = new CachedDate(second, Encoding.ASCII.GetBytes($"Date: {now:r}\r\n"));
            Volatile.Write(ref _date, cached);
        }

        return cached.Line;
    }

    /// <summary>"HTTP/1.1 {status} {reason}\r\n", with Kestrel's reason phrases.</summary>
    public static void WriteStatusLine(IBufferWriter<byte> output, int status) =>
        WriteStatusLine(output, status, Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status));

    /// <summary>"HTTP/1.1 {status} {reason}\r\n".</summary>
    public static void WriteStatusLine(IBufferWriter<byte> output, int status, string reason)
    {
        output.Write("HTTP/1.1 "u8);
        WriteNumber(output, status);
        output.Write(" "u8);
        WriteAscii(output, reason);
        output.Write("\r\n"u8);
    }

    public static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        Span<byte> span = output.GetSpan(text.Length);
        int written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }

    public static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    private sealed record CachedDate(long Second, byte[] Line);
}
