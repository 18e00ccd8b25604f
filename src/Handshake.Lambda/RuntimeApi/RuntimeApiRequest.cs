using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// The head of one HTTP/1.1 request to the Runtime API: the request line and the few headers the API reads. Parsed
/// straight from the connection's buffer (the Runtime API has four routes and no use for a general-purpose request
/// object; see <see cref="RuntimeApiConnection"/> for why it is not served through Kestrel's HTTP layer).
/// </summary>
internal sealed class RuntimeApiRequest
{
    /// <summary>Kestrel's default limit on a request's head (request line and headers), answered 431 above it.</summary>
    public const int MaxHeadBytes = 32 * 1024;

    public string Method { get; private init; } = "";

    /// <summary>The path, percent-decoded, without the query.</summary>
    public string Path { get; private init; } = "";

    /// <summary>Declared body length; null with no Content-Length (then the body is chunked or empty).</summary>
    public long? ContentLength { get; private init; }

    public bool Chunked { get; private init; }

    public bool ExpectContinue { get; private init; }

    /// <summary>The client asked for the connection to end after this exchange (Connection: close, or HTTP/1.0).</summary>
    public bool Close { get; private init; }

    /// <summary>Lambda-Runtime-Function-Error-Type, when present and not empty.</summary>
    public string? FunctionErrorType { get; private init; }

    /// <summary>Lambda-Runtime-Function-Response-Mode as sent (streaming or buffered, in any case), or null.</summary>
    public string? ResponseMode { get; private init; }

    private const string ApplicationJson = "application/json";

    /// <summary>Content-Type as sent, or null: a streamed response's type, passed on to the caller.</summary>
    public string? ContentType { get; private init; }

    public bool HasBody => Chunked || ContentLength > 0;

    /// <summary>
    /// Parses a head from the start of <paramref name="buffer"/>. Returns false when the head is not complete yet;
    /// true with the request, or with a <paramref name="failure"/> (status and message) for a malformed one. On success
    /// <paramref name="end"/> is the position just after the blank line.
    /// </summary>
    public static bool TryParse(in ReadOnlySequence<byte> buffer, out RuntimeApiRequest? request, out (int Status, string Message)? failure, out SequencePosition end)
    {
        request = null;
        failure = null;
        end = buffer.Start;
        SequenceReader<byte> reader = new(buffer);
        if (!reader.TryReadTo(out ReadOnlySpan<byte> requestLine, "\r\n"u8))
        {
            failure = buffer.Length > MaxHeadBytes ? (431, "Request header fields too large") : null;
            return failure is not null;
        }

        string? method = null;
        string? path = null;
        bool http10 = false;
        if (!TryParseRequestLine(requestLine, ref method, ref path, ref http10))
        {
            failure = (400, "Malformed request line");
            return true;
        }

        long? contentLength = null;
        bool chunked = false;
        bool expectContinue = false;
        bool close = http10;
        string? errorType = null;
        string? responseMode = null;
        string? contentType = null;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySpan<byte> line, "\r\n"u8))
            {
                failure = buffer.Length > MaxHeadBytes ? (431, "Request header fields too large") : null;
                return failure is not null;
            }

            if (reader.Consumed > MaxHeadBytes)
            {
                failure = (431, "Request header fields too large");
                return true;
            }

            if (line.IsEmpty)
            {
                break;
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[colon - 1] is (byte)' ' or (byte)'\t')
            {
                failure = (400, "Malformed header");
                return true;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (contentLength is not null || !Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length || length < 0)
                {
                    failure = (400, "Invalid Content-Length");
                    return true;
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // Only chunked, as the final coding, frames a request body.
                if (!EndsWithToken(value, "chunked"u8))
                {
                    failure = (400, "Unsupported Transfer-Encoding");
                    return true;
                }

                chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
            {
                expectContinue = Ascii.EqualsIgnoreCase(value, "100-continue"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (ContainsToken(value, "close"u8))
                {
                    close = true;
                }
                else if (ContainsToken(value, "keep-alive"u8))
                {
                    close = false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Error-Type"u8) && !value.IsEmpty)
            {
                errorType = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Response-Mode"u8))
            {
                responseMode = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8) && !value.IsEmpty)
            {
                // Only a streamed response uses it, but runtimes send it on every answer (the Node bootstrap's is
                // application/json): the common value costs no string on the warm path.
                contentType = value.SequenceEqual("application/json"u8) ? ApplicationJson : Encoding.UTF8.GetString(value);
            }
        }

        if (chunked && contentLength is not null)
        {
            // Both framings at once is how requests are smuggled; RFC 9112 lets a server refuse it.
            failure = (400, "Both Content-Length and Transfer-Encoding");
            return true;
        }

        end = reader.Position;
        request = new RuntimeApiRequest
        {
            Method = method!,
            Path = path!,
            ContentLength = contentLength,
            Chunked = chunked,
            ExpectContinue = expectContinue,
            Close = close,
            FunctionErrorType = errorType,
            ResponseMode = responseMode,
            ContentType = contentType,
        };
        return true;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, ref string? method, ref string? path, ref bool http10)
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> methodBytes = line[..space];
        ReadOnlySpan<byte> rest = line[(space + 1)..];
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> target = rest[..secondSpace];
        ReadOnlySpan<byte> version = rest[(secondSpace + 1)..];
        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            http10 = true;
        }
        else if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return false;
        }

        foreach (byte b in methodBytes)
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return false;
            }
        }

        // Absolute form (http://host:port/path) is legal for a server to receive; the path is what routes.
        if (target.StartsWith("http://"u8) || target.StartsWith("https://"u8))
        {
            ReadOnlySpan<byte> authority = target[(target.IndexOf("//"u8) + 2)..];
            int slash = authority.IndexOf((byte)'/');
            target = slash < 0 ? "/"u8 : authority[slash..];
        }

        if (target.IsEmpty || target[0] != (byte)'/' || target.ContainsAnyInRange((byte)0, (byte)' ') || target.Contains((byte)0x7F))
        {
            return false;
        }

        int query = target.IndexOf((byte)'?');
        if (query >= 0)
        {
            target = target[..query];
        }

        method = KnownMethod(methodBytes) ?? Encoding.ASCII.GetString(methodBytes);
        string raw = Encoding.UTF8.GetString(target);
        path = raw.Contains('%') ? Uri.UnescapeDataString(raw) : raw;
        return true;
    }

    // The usual methods without a string allocation per request.
    private static string? KnownMethod(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("GET"u8) ? "GET" : method.SequenceEqual("POST"u8) ? "POST" : null;

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range part in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[part].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsWithToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        int comma = value.LastIndexOf((byte)',');
        return Ascii.EqualsIgnoreCase(value[(comma + 1)..].Trim(" \t"u8), token);
    }
}
