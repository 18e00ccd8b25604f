using System.Net.Sockets;
using System.Text;

namespace Handshake.Bench.Load;

/// <summary>One HTTP/1.1 response as the load generator needs it: status, where the body is, and whether the server closes.</summary>
public readonly record struct HttpResponseHead(int Status, int BodyStart, int BodyLength, bool Close);

/// <summary>
/// Reads HTTP/1.1 responses from a kept-alive socket into one reusable buffer, like wrk: no allocation per response,
/// Content-Length and chunked bodies, and a note when the server asks to close. One reader per connection.
/// </summary>
public sealed class HttpResponseReader(Socket socket)
{
    private byte[] buffer = new byte[16 * 1024];
    private int filled;
    private int consumed;

    public ReadOnlySpan<byte> Body(HttpResponseHead head) => buffer.AsSpan(head.BodyStart, head.BodyLength);

    public async ValueTask<HttpResponseHead> ReadAsync(CancellationToken ct)
    {
        // Drop the previous response; keep any bytes that came after it.
        if (consumed > 0)
        {
            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            consumed = 0;
        }

        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(ct);
        }

        var head = buffer.AsSpan(0, headerEnd);
        var status = ParseStatus(head);
        var bodyStart = headerEnd + 4;
        var close = HasHeaderValue(head, "connection:"u8, "close"u8) || head.StartsWith("HTTP/1.0"u8);
        var contentLength = HeaderNumber(head, "content-length:"u8);
        if (contentLength >= 0)
        {
            while (filled < bodyStart + contentLength)
            {
                await FillAsync(ct);
            }

            consumed = bodyStart + contentLength;
            return new HttpResponseHead(status, bodyStart, contentLength, close);
        }

        if (HasHeaderValue(head, "transfer-encoding:"u8, "chunked"u8))
        {
            // The body is kept raw (with chunk framing): the generator only looks for a marker in it.
            int end;
            while ((end = buffer.AsSpan(bodyStart, filled - bodyStart).IndexOf("\r\n0\r\n\r\n"u8)) < 0 && !StartsWithLastChunk(bodyStart))
            {
                await FillAsync(ct);
            }

            var length = end < 0 ? 5 : end + 7;
            consumed = bodyStart + length;
            return new HttpResponseHead(status, bodyStart, length, close);
        }

        // No length and not chunked: the body runs to the end of the connection.
        while (await TryFillAsync(ct))
        {
        }

        consumed = filled;
        return new HttpResponseHead(status, bodyStart, filled - bodyStart, true);
    }

    private bool StartsWithLastChunk(int bodyStart) => buffer.AsSpan(bodyStart, filled - bodyStart).StartsWith("0\r\n\r\n"u8);

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (!await TryFillAsync(ct))
        {
            throw new IOException("the server closed the connection in the middle of a response");
        }
    }

    private async ValueTask<bool> TryFillAsync(CancellationToken ct)
    {
        if (filled == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
        filled += read;
        return read > 0;
    }

    private static int ParseStatus(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8))
        {
            throw new IOException($"not an HTTP response: {Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)])}");
        }

        return ((head[9] - '0') * 100) + ((head[10] - '0') * 10) + (head[11] - '0');
    }

    private static int HeaderNumber(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var value = HeaderValue(head, name);
        if (value.IsEmpty)
        {
            return -1;
        }

        var number = 0;
        foreach (var b in value)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                number = (number * 10) + (b - '0');
            }
        }

        return number;
    }

    private static bool HasHeaderValue(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected)
    {
        var value = HeaderValue(head, name);
        return !value.IsEmpty && Ascii.EqualsIgnoreCase(value.Trim((byte)' '), expected);
    }

    // Header names are case-insensitive; scan line by line without allocating.
    private static ReadOnlySpan<byte> HeaderValue(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var rest = head;
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return default;
            }

            rest = rest[(lineEnd + 2)..];
            var line = rest;
            var next = line.IndexOf("\r\n"u8);
            if (next >= 0)
            {
                line = line[..next];
            }

            if (line.Length > name.Length && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                return line[name.Length..].Trim((byte)' ');
            }
        }
    }
}
