using System.Buffers;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Text;
using static Handshake.Http.HttpResponseText;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// A plain DynamoDB request, the only kind SDKs send: `POST / HTTP/1.1` with a Host, an X-Amz-Target and a
/// Content-Length of at most 64 KB; a JSON or absent Content-Type; `Connection: keep-alive` or none; no
/// Transfer-Encoding, Expect, Origin (CORS) or Upgrade; ASCII headers. <see cref="DynamoEventLoop"/> answers these
/// itself and leaves every other request, from that one on, to Kestrel's HTTP layer: HTTP/1.1 keeps no state between
/// requests, so the connection can change hands at a request's first byte.
/// </summary>
internal static class PlainRequest
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxHeadBytes = 16 * 1024;

    /// <summary>The most a plain request can take: its head, the blank line and its body.</summary>
    public const int MaxRequestBytes = MaxHeadBytes + 4 + MaxBodyBytes;

    // RFC 9110's tchar: what a header name may hold.
    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // A Host's uri-host and port (RFC 3986: reg-name, IP literal, IPv4, percent-encoding): anything else is Kestrel's to judge.
    private static readonly SearchValues<byte> HostBytes =
        SearchValues.Create("-._~!$&'()*+,;=:%[]0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// What the request at the start of <paramref name="data"/> is: a whole plain request (its length, head and body),
    /// not yet whole, or one that Kestrel must answer. With <paramref name="routes"/>, a POST to another path is plain
    /// too, for an <see cref="IPlainRoute"/> (its Target is then the path; a store request's is its X-Amz-Target).
    /// </summary>
    public static Parsed Parse(ReadOnlySpan<byte> data, bool routes = false)
    {
        int headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 || headEnd > MaxHeadBytes)
        {
            // Kestrel also ends lines at a bare LF, so "...\n\n" may be a whole head that no CRLF CRLF will follow:
            // waiting for one would leave the request unanswered until the idle timeout. Kestrel decides.
            return new Parsed(headEnd > MaxHeadBytes || data.Length > MaxHeadBytes || HasBareLineFeed(data) ? Outcome.HandOver : Outcome.NeedMore);
        }

        ReadOnlySpan<byte> head = data[..headEnd];
        if (!head.StartsWith("POST /"u8) || !Ascii.IsValid(head))
        {
            return new Parsed(Outcome.HandOver);
        }

        string? path = null;
        ReadOnlySpan<byte> rest;
        if (head.StartsWith("POST / HTTP/1.1\r\n"u8))
        {
            rest = head["POST / HTTP/1.1\r\n".Length..];
        }
        else
        {
            int lineEnd = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> requestLine = lineEnd < 0 ? head : head[..lineEnd];
            ReadOnlySpan<byte> requestTarget = requestLine["POST ".Length..];
            if (!routes || !requestTarget.EndsWith(" HTTP/1.1"u8))
            {
                return new Parsed(Outcome.HandOver);
            }

            requestTarget = requestTarget[..^" HTTP/1.1".Length];
            // Any byte outside a URI's visible ASCII (spaces, controls): Kestrel decides what such a request gets.
            if (requestTarget.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0)
            {
                return new Parsed(Outcome.HandOver);
            }

            path = Encoding.ASCII.GetString(requestTarget);
            rest = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        }

        int headersAt = headEnd - rest.Length;
        string? target = null;
        string? authorization = null;
        long contentLength = -1;
        bool host = false;
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            // No colon, a name ending in whitespace, a folded line, or a bare CR or LF (which Kestrel reads as a line's
            // end, so its headers would not be these): Kestrel decides what such a request gets.
            if (colon <= 0 || line[colon - 1] is (byte)' ' or (byte)'\t' || line[0] is (byte)' ' or (byte)'\t' || line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
            {
                return new Parsed(Outcome.HandOver);
            }

            ReadOnlySpan<byte> name = line[..colon];
            // A name that is not a token (a space or a control character inside it): Kestrel refuses the request (400),
            // so the loop must not answer it (found by HttpFramingFuzzTests: `X-A mz-Date` was a 200 here, a 400 there).
            if (name.IndexOfAnyExcept(TokenBytes) >= 0)
            {
                return new Parsed(Outcome.HandOver);
            }

            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "x-amz-target"u8))
            {
                if (target is not null)
                {
                    return new Parsed(Outcome.HandOver);
                }

                target = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (contentLength >= 0 || !Utf8Parser.TryParse(value, out contentLength, out int used) || used != value.Length || contentLength < 0)
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "authorization"u8))
            {
                if (authorization is not null)
                {
                    return new Parsed(Outcome.HandOver);
                }

                authorization = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                // A function URL's request (any path, POST / included) is Kestrel's to route, never the store's. So is a
                // second Host, or one that is not a host[:port]: RFC 9112 (3.2) has them refused with a 400, as Kestrel
                // does (found by HttpFramingFuzzTests: the loop answered them).
                if (host || value.IndexOfAnyExcept(HostBytes) >= 0 || IsFunctionUrlHost(value))
                {
                    return new Parsed(Outcome.HandOver);
                }

                host = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-type"u8))
            {
                // A route reads its own body (an Invoke payload is JSON whatever the client labels it).
                if (path is null && !IsJsonContentType(value))
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) || Ascii.EqualsIgnoreCase(name, "expect"u8)
                || Ascii.EqualsIgnoreCase(name, "origin"u8) || Ascii.EqualsIgnoreCase(name, "upgrade"u8))
            {
                return new Parsed(Outcome.HandOver);
            }
        }

        if (!host || (path is null && target is null) || contentLength < 0 || contentLength > MaxBodyBytes)
        {
            return new Parsed(Outcome.HandOver);
        }

        int bodyLength = (int)contentLength;
        int length = headEnd + 4 + bodyLength;
        return data.Length < length
            ? new Parsed(Outcome.NeedMore)
            : new Parsed(Outcome.Answer, length, bodyLength, path ?? target!, authorization, path is not null, headersAt, headEnd);
    }

    /// <summary>True when some LF in <paramref name="data"/> has no CR before it.</summary>
    private static bool HasBareLineFeed(ReadOnlySpan<byte> data)
    {
        int at = 0;
        while (data[at..].IndexOf((byte)'\n') is var found and >= 0)
        {
            int index = at + found;
            if (index == 0 || data[index - 1] != (byte)'\r')
            {
                return true;
            }

            at = index + 1;
        }

        return false;
    }

    /// <summary>
    /// The answer, with the headers Kestrel sends for the store's answers (no Server header): Content-Type, Date,
    /// Content-Length, x-amzn-RequestId and x-amz-crc32, the CRC32 of the exact body bytes.
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, int status, ReadOnlySpan<byte> body)
    {
        WriteStatusLine(output, status);
        output.Write("Content-Type: application/x-amz-json-1.0\r\n"u8);
        output.Write(DateLine());
        output.Write("x-amzn-RequestId: "u8);
        WriteAscii(output, RequestIds.Next());
        output.Write("\r\nx-amz-crc32: "u8);
        WriteNumber(output, Crc32.HashToUInt32(body));
        output.Write("\r\nContent-Length: "u8);
        WriteNumber(output, body.Length);
        output.Write("\r\n\r\n"u8);
        output.Write(body);
    }

    /// <summary>
    /// True when the Host is <c>{url-id}.lambda-url.{region}...</c>, in any case (host names are case-insensitive),
    /// or too long to look at here (Kestrel then decides).
    /// </summary>
    private static bool IsFunctionUrlHost(ReadOnlySpan<byte> value)
    {
        Span<byte> lower = stackalloc byte[256];
        return value.Length > lower.Length
            || (Ascii.ToLower(value, lower, out int written) == OperationStatus.Done && lower[..written].IndexOf(".lambda-url."u8) >= 0);
    }

    private static bool IsJsonContentType(ReadOnlySpan<byte> value)
    {
        Span<char> chars = stackalloc char[128];
        return value.Length <= chars.Length && Ascii.ToUtf16(value, chars, out int written) == OperationStatus.Done
            && DynamoHttpEndpoint.IsJsonContentType(chars[..written]);
    }

    public enum Outcome
    {
        NeedMore,
        HandOver,
        Answer,
    }

    /// <summary>
    /// What the head says; for <see cref="Outcome.Answer"/>, the request's whole length (head and body), and where its
    /// header lines are. <see cref="Target"/> is the X-Amz-Target of a store request, the path of a route's.
    /// </summary>
    public readonly record struct Parsed(Outcome Outcome, int Length = 0, int BodyLength = 0, string Target = "", string? Authorization = null,
        bool Routed = false, int HeadersAt = 0, int HeadEnd = 0);
}
