using System.Text;

namespace Handshake.Bench.Load;

/// <summary>One HTTP/1.1 response as the load generator needs it: status, where the body is, and whether the server closes.</summary>
public readonly record struct HttpResponseHead(int Status, int BodyStart, int BodyLength, bool Close);

/// <summary>
/// Finds one whole HTTP/1.1 response at the start of received bytes, without allocating: Content-Length and chunked
/// bodies, a body that runs to the end of the connection, and a note when the server asks to close. Pure parsing, so
/// that the async reader and the poll loop read responses the same way.
/// </summary>
public static class HttpResponseParser
{
    /// <summary>
    /// True when <paramref name="data"/> starts with a whole response; <paramref name="consumed"/> is its length.
    /// <paramref name="ended"/> says the server closed the connection after these bytes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool ended, out HttpResponseHead head, out int consumed)
    {
        head = default;
        consumed = 0;
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            return false;
        }

        var headers = data[..headerEnd];
        var status = ParseStatus(headers);
        var bodyStart = headerEnd + 4;
        var close = HasHeaderValue(headers, "connection:"u8, "close"u8) || headers.StartsWith("HTTP/1.0"u8);
        var contentLength = HeaderNumber(headers, "content-length:"u8);
        if (contentLength >= 0)
        {
            if (data.Length < bodyStart + contentLength)
            {
                return false;
            }

            consumed = bodyStart + contentLength;
            head = new HttpResponseHead(status, bodyStart, contentLength, close);
            return true;
        }

        var body = data[bodyStart..];
        if (HasHeaderValue(headers, "transfer-encoding:"u8, "chunked"u8))
        {
            // The body is kept raw (with chunk framing): the generator only looks for a marker in it.
            int length;
            if (body.StartsWith("0\r\n\r\n"u8))
            {
                length = 5;
            }
            else
            {
                var end = body.IndexOf("\r\n0\r\n\r\n"u8);
                if (end < 0)
                {
                    return false;
                }

                length = end + 7;
            }

            consumed = bodyStart + length;
            head = new HttpResponseHead(status, bodyStart, length, close);
            return true;
        }

        // No length and not chunked: the body runs to the end of the connection.
        if (!ended)
        {
            return false;
        }

        consumed = data.Length;
        head = new HttpResponseHead(status, bodyStart, body.Length, true);
        return true;
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
