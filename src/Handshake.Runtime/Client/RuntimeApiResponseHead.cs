using System.Buffers.Text;
using System.Text;

namespace Handshake.Runtime.Client;

/// <summary>
/// Parses an HTTP/1.1 response head (status line and headers, ending with the blank line) into a
/// <see cref="RuntimeApiResponse"/>. Header names compare case-insensitively, as HTTP requires; only the framing headers
/// and Lambda-Runtime-* are kept.
/// </summary>
internal static class RuntimeApiResponseHead
{
    public static RuntimeApiResponse Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        // "HTTP/1.1 200 OK": the version, one space, three digits, then an optional reason.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3
            || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            throw Malformed($"bad status line '{Encoding.ASCII.GetString(statusLine)}'");
        }

        var http10 = statusLine[7] == (byte)'0';
        var response = new RuntimeApiResponse { StatusCode = status, ConnectionClose = http10 };
        var rest = head[(lineEnd + 2)..];
        while (true)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd <= 0)
            {
                // The blank line that ends the head.
                break;
            }

            ParseHeader(rest[..lineEnd], response, http10);
            rest = rest[(lineEnd + 2)..];
        }

        return response;
    }

    public static HttpRequestException Malformed(string what) =>
        new(HttpRequestError.InvalidResponse, $"Runtime API sent an invalid HTTP answer: {what}");

    private static void ParseHeader(ReadOnlySpan<byte> line, RuntimeApiResponse response, bool http10)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            throw Malformed($"bad header line '{Encoding.ASCII.GetString(line)}'");
        }

        var name = line[..colon].TrimEnd(" \t"u8);
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (name.Length > 15 && Ascii.EqualsIgnoreCase(name[..15], "Lambda-Runtime-"u8))
        {
            var suffix = name[15..];
            if (Ascii.EqualsIgnoreCase(suffix, "Aws-Request-Id"u8))
            {
                response.AwsRequestId = Text(value);
            }
            else if (Ascii.EqualsIgnoreCase(suffix, "Deadline-Ms"u8))
            {
                response.DeadlineMs = Text(value);
            }
            else if (Ascii.EqualsIgnoreCase(suffix, "Invoked-Function-Arn"u8))
            {
                response.InvokedFunctionArn = Text(value);
            }
            else if (Ascii.EqualsIgnoreCase(suffix, "Trace-Id"u8))
            {
                response.TraceId = Text(value);
            }
            else if (Ascii.EqualsIgnoreCase(suffix, "Client-Context"u8))
            {
                response.ClientContext = Text(value);
            }
            else if (Ascii.EqualsIgnoreCase(suffix, "Cognito-Identity"u8))
            {
                response.CognitoIdentity = Text(value);
            }
        }
        else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var consumed) || consumed != value.Length || length < 0
                || (response.ContentLength >= 0 && response.ContentLength != length))
            {
                throw Malformed($"bad Content-Length '{Encoding.ASCII.GetString(value)}'");
            }

            response.ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            // The last coding decides the framing: "gzip, chunked" is still chunked on the wire.
            response.Chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            if (ContainsToken(value, "close"u8))
            {
                response.ConnectionClose = true;
            }
            else if (http10 && ContainsToken(value, "keep-alive"u8))
            {
                response.ConnectionClose = false;
            }
        }
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    private static string Text(ReadOnlySpan<byte> value) => Encoding.UTF8.GetString(value);
}
