using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Bench.Host;

/// <summary>
/// <c>host --client blocking</c>: keep-alive HTTP/1.1 POSTs of <c>{}</c> on a blocking socket per server, timed around
/// the send and the whole answer. The cheapest client there is: its one thread sleeps in recv while it waits, with no
/// thread pool and no spinning. HttpClient's workers spin for their next work item while an invocation runs, and on a
/// 2-core machine that spinning holds one core the function and the host need (perf sched timehist, 2026-11-27 08:26
/// UTC: the loop, the function, `up`'s socket thread and the client's socket thread all ran in turn on one core while a
/// client worker spun on the other); the bare round trip, shorter than the spin, does not pay for it.
/// </summary>
internal sealed class BlockingHttpClient : IDisposable
{
    private readonly Dictionary<string, Socket> _sockets = [];
    private readonly Dictionary<string, byte[]> _requests = [];
    private readonly byte[] _buffer = new byte[256 * 1024];

    /// <summary>One POST and its whole answer, in microseconds.</summary>
    public double Post(Uri server, string path)
    {
        string key = server.Authority + path;
        if (!_requests.TryGetValue(key, out byte[]? request))
        {
            request = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}");
            _requests[key] = request;
        }

        if (!_sockets.TryGetValue(server.Authority, out Socket? socket))
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 60_000 };
            socket.Connect(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
            _sockets[server.Authority] = socket;
        }

        long start = Stopwatch.GetTimestamp();
        socket.Send(request);
        int filled = 0;
        int headEnd = -1;
        int total = int.MaxValue;
        bool chunked = false;
        while (filled < total)
        {
            int read = socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
            if (read == 0)
            {
                throw new InvalidOperationException($"{server} closed the connection mid-answer");
            }

            filled += read;
            if (headEnd < 0 && (headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
            {
                // The bare endpoint writes {} without a length: Kestrel then sends it chunked.
                int length = ContentLength(_buffer.AsSpan(0, headEnd));
                chunked = length < 0;
                total = chunked ? int.MaxValue : headEnd + 4 + length;
            }

            if (chunked && _buffer.AsSpan(headEnd + 4, filled - headEnd - 4).EndsWith("0\r\n\r\n"u8))
            {
                total = filled;
            }
        }

        double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        string statusLine = Encoding.ASCII.GetString(_buffer, 0, _buffer.AsSpan(0, headEnd).IndexOf("\r\n"u8));
        if (!statusLine.StartsWith("HTTP/1.1 2", StringComparison.Ordinal) || filled != total)
        {
            throw new InvalidOperationException($"{server}{path} answered {statusLine} ({filled} of {total} bytes)");
        }

        return micros;
    }

    /// <summary>The Content-Length, or -1 for none (a chunked answer). On the bytes: this runs inside the timed call.</summary>
    private static int ContentLength(ReadOnlySpan<byte> head)
    {
        while (!head.IsEmpty)
        {
            int end = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? head : head[..end];
            head = end < 0 ? default : head[(end + 2)..];
            if (line.Length > "Content-Length:".Length && System.Text.Ascii.EqualsIgnoreCase(line[.."Content-Length:".Length], "Content-Length:"u8)
                && System.Buffers.Text.Utf8Parser.TryParse(line["Content-Length:".Length..].Trim((byte)' '), out int length, out _))
            {
                return length;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        foreach (Socket socket in _sockets.Values)
        {
            socket.Dispose();
        }
    }
}
