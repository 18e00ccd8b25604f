using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>One response as read off the wire: status, headers in order, and the body its framing delimits.</summary>
internal sealed record RawResponse(int Status, string StatusLine, List<(string Name, string Value)> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public int HeaderCount(string name) => Headers.Count(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public bool SaysClose => Headers.Any(h => h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        && h.Value.Split(',').Any(v => v.Trim().Equals("close", StringComparison.OrdinalIgnoreCase)));

    public override string ToString() => $"{StatusLine} [{string.Join("; ", Headers.Select(h => h.Name + ": " + h.Value))}] {HttpFramingCases.Printable(Body, 300)}";
}

/// <summary>What the server wrote on one connection, parsed, and how the connection ended.</summary>
internal sealed record ExchangeResult(List<RawResponse> Responses, byte[] Raw, string? FramingError, bool Closed, bool TimedOut, TimeSpan Elapsed);

/// <summary>
/// Raw TCP to the server on 127.0.0.1: writes bytes (in pieces if asked), optionally shuts down its sending side, and
/// reads what comes back with a timeout on every read and a deadline on the whole exchange. The responses are parsed
/// strictly as HTTP/1.1: a status line, header lines ended by CRLF, and a body framed by Content-Length or chunked
/// coding (204, 304 and 1xx have none); anything else is a framing error.
/// </summary>
internal static class RawHttpExchange
{
    /// <param name="required">
    /// Answers to wait for (until the deadline) before the sending side is shut down; null: none. Kestrel takes a client's
    /// FIN for an abort (dotnet/aspnetcore#13188): it writes nothing more on that connection, so an answer the check
    /// needs must have come before the half-close.
    /// </param>
    /// <param name="wanted">Answers to wait for at most <paramref name="grace"/> more; null: none (a half-close at once).</param>
    /// <param name="headFirst">The first request is a HEAD: its answer has no body, whatever its Content-Length says.</param>
    public static async Task<ExchangeResult> RunAsync(IPEndPoint endpoint, byte[] bytes, int[] splits, int splitDelay,
        Func<List<RawResponse>, bool>? required, Func<List<RawResponse>, bool>? wanted, TimeSpan grace, TimeSpan deadline, bool headFirst = false)
    {
        Stopwatch clock = Stopwatch.StartNew();
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using CancellationTokenSource timeout = new(deadline);
        await socket.ConnectAsync(endpoint, timeout.Token);
        List<byte> received = [];
        byte[] buffer = new byte[64 * 1024];
        TaskCompletionSource requiredCame = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource wantedCame = new(TaskCreationOptions.RunContinuationsAsynchronously);
        if (required is null)
        {
            requiredCame.SetResult();
        }

        if (wanted is null)
        {
            wantedCame.SetResult();
        }

        // Read while writing: a server that answers early (413, 400) and closes must not leave the writes blocked.
        Task<(bool Closed, bool TimedOut)> reading = ReadAsync();
        int at = 0;
        try
        {
            foreach (int split in splits.Append(bytes.Length))
            {
                if (split <= at)
                {
                    continue;
                }

                await socket.SendAsync(bytes.AsMemory(at, split - at), SocketFlags.None, timeout.Token);
                at = split;
                if (at < bytes.Length)
                {
                    if (splitDelay > 0)
                    {
                        await Task.Delay(splitDelay, timeout.Token);
                    }
                    else
                    {
                        await Task.Yield();
                    }
                }
            }

            await requiredCame.Task.WaitAsync(timeout.Token);
            try
            {
                await wantedCame.Task.WaitAsync(grace, timeout.Token);
            }
            catch (TimeoutException)
            {
                // Not (yet) answered: the half-close now, which may end the exchange without those answers.
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server closed (or reset) while the request was still going out: what it wrote before is still read.
        }
        catch (OperationCanceledException)
        {
        }

        (bool closed, bool timedOut) = await reading;
        byte[] raw = [.. received];
        (List<RawResponse> responses, string? error, _) = Parse(raw, closed, headFirst);
        return new ExchangeResult(responses, raw, error, closed, timedOut, clock.Elapsed);

        async Task<(bool, bool)> ReadAsync()
        {
            try
            {
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                    if (read == 0)
                    {
                        return (true, false);
                    }

                    received.AddRange(buffer.AsSpan(0, read));
                    if (!wantedCame.Task.IsCompleted || !requiredCame.Task.IsCompleted)
                    {
                        List<RawResponse> responses = Parse([.. received], closed: false, headFirst).Responses;
                        if (required?.Invoke(responses) != false)
                        {
                            requiredCame.TrySetResult();
                        }

                        if (wanted?.Invoke(responses) != false)
                        {
                            wantedCame.TrySetResult();
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return (false, true);
            }
            catch (SocketException)
            {
                // A reset: the connection is over.
                return (true, false);
            }
            finally
            {
                requiredCame.TrySetResult();
                wantedCame.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Parses <paramref name="raw"/> as a sequence of responses. Complete is false when the bytes end inside a response
    /// (a framing error once the connection has closed).
    /// </summary>
    public static (List<RawResponse> Responses, string? Error, bool Complete) Parse(byte[] raw, bool closed, bool headFirst = false)
    {
        List<RawResponse> responses = [];
        int at = 0;
        while (at < raw.Length)
        {
            int headEnd = IndexOf(raw, "\r\n\r\n"u8, at);
            if (headEnd < 0)
            {
                return (responses, closed ? "the connection closed inside a response head: " + HttpFramingCases.Printable(raw.AsSpan(at), 200) : null, false);
            }

            string head = Encoding.Latin1.GetString(raw, at, headEnd - at);
            string[] lines = head.Split("\r\n");
            string statusLine = lines[0];
            if (statusLine.Length < 13 || !statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status)
                || status < 100 || statusLine[12] != ' ' || statusLine.Any(c => c is < ' ' or > '~'))
            {
                return (responses, "a bad status line: " + HttpFramingCases.Printable(Encoding.Latin1.GetBytes(statusLine), 200), false);
            }

            List<(string Name, string Value)> headers = [];
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || line[..colon].Any(c => c <= ' ' || c > '~' || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
                    || line[(colon + 1)..].Any(c => c is '\r' or '\n' or '\0'))
                {
                    return (responses, "a bad header line: " + HttpFramingCases.Printable(Encoding.Latin1.GetBytes(line), 200), false);
                }

                headers.Add((line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
            }

            at = headEnd + 4;
            RawResponse bare = new(status, statusLine, headers, []);
            if (status is < 200 or 204 or 304 || (headFirst && status >= 200 && !responses.Any(r => r.Status >= 200)))
            {
                if (bare.Header("Content-Length") is { } length && length != "0" && !headFirst)
                {
                    return (responses, $"a {status} with Content-Length {length}", false);
                }

                responses.Add(bare);
                continue;
            }

            string? transferEncoding = bare.Header("Transfer-Encoding");
            string[] lengths = headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();
            if (transferEncoding is not null)
            {
                if (!transferEncoding.Equals("chunked", StringComparison.OrdinalIgnoreCase) || lengths.Length > 0)
                {
                    return (responses, $"Transfer-Encoding '{transferEncoding}' with {lengths.Length} Content-Length", false);
                }

                List<byte> body = [];
                while (true)
                {
                    int lineEnd = IndexOf(raw, "\r\n"u8, at);
                    if (lineEnd < 0)
                    {
                        return (responses, closed ? "the connection closed inside a chunked body" : null, false);
                    }

                    string sizeText = Encoding.Latin1.GetString(raw, at, lineEnd - at).Split(';')[0].Trim();
                    if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
                    {
                        return (responses, "a bad chunk size in a response: " + sizeText, false);
                    }

                    at = lineEnd + 2;
                    if (size == 0)
                    {
                        int trailersEnd = IndexOf(raw, "\r\n"u8, at);
                        if (trailersEnd != at)
                        {
                            return (responses, trailersEnd < 0 && !closed ? null : "trailers in a response", false);
                        }

                        at += 2;
                        break;
                    }

                    if (at + size + 2 > raw.Length)
                    {
                        return (responses, closed ? "the connection closed inside a chunk" : null, false);
                    }

                    if (raw[at + size] != '\r' || raw[at + size + 1] != '\n')
                    {
                        return (responses, "a chunk without its CRLF in a response", false);
                    }

                    body.AddRange(raw.AsSpan(at, size));
                    at += size + 2;
                }

                responses.Add(bare with { Body = [.. body] });
                continue;
            }

            if (lengths.Length != 1 || !int.TryParse(lengths[0], NumberStyles.None, CultureInfo.InvariantCulture, out int contentLength))
            {
                return (responses, $"a response framed by neither one Content-Length nor chunked coding ({lengths.Length} Content-Length)", false);
            }

            if (at + contentLength > raw.Length)
            {
                return (responses, closed ? $"the connection closed {at + contentLength - raw.Length} bytes before the body's end" : null, false);
            }

            responses.Add(bare with { Body = raw[at..(at + contentLength)] });
            at += contentLength;
        }

        return (responses, null, true);
    }

    private static int IndexOf(byte[] raw, ReadOnlySpan<byte> value, int from)
    {
        int found = raw.AsSpan(from).IndexOf(value);
        return found < 0 ? -1 : from + found;
    }
}
