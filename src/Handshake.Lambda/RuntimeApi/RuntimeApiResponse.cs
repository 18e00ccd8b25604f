using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using static Handshake.Http.HttpResponseText;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// Writes HTTP/1.1 responses of the Runtime API into a connection's output: status line, Content-Type, Date, the
/// Lambda-Runtime-* headers, Content-Length, body. Nothing is flushed here; the connection decides when bytes leave.
/// </summary>
internal static class RuntimeApiResponse
{
    public static void Write(PipeWriter output, int status, ReadOnlySpan<byte> body, bool close, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        WriteStatusLine(output, status, Reason(status));
        output.Write("Content-Type: application/json\r\n"u8);
        output.Write(DateLine());
        if (headers is not null)
        {
            foreach (KeyValuePair<string, string> header in headers)
            {
                WriteAscii(output, header.Key);
                output.Write(": "u8);
                WriteValue(output, header.Value);
                output.Write("\r\n"u8);
            }
        }

        output.Write("Content-Length: "u8);
        WriteNumber(output, body.Length);
        output.Write(close ? "\r\nConnection: close\r\n\r\n"u8 : "\r\n\r\n"u8);
        output.Write(body);
    }

    /// <summary>The interim answer to Expect: 100-continue (curl sends it before large bodies and waits up to 1 s for it).</summary>
    public static void WriteContinue(PipeWriter output) => output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);

    // Go's net/http phrases, as Lambda's own Runtime API sends them (413 is "Request Entity Too Large" there, not
    // Kestrel's "Payload Too Large").
    private static string Reason(int status) => status switch
    {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Unknown",
    };

    /// <summary>
    /// A header value as UTF-8, with CR and LF replaced by spaces, as Go's net/http (Lambda's own Runtime API) does: a
    /// caller's client context may hold newlines, and a newline in a header would end it.
    /// </summary>
    private static void WriteValue(PipeWriter output, string value)
    {
        Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        int written = Encoding.UTF8.GetBytes(value, span);
        span[..written].Replace((byte)'\r', (byte)' ');
        span[..written].Replace((byte)'\n', (byte)' ');
        output.Advance(written);
    }
}
