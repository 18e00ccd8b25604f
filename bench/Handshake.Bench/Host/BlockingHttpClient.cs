using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Bench.Load;

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
        HttpResponseHead head;
        int consumed;
        // The load generator's parser: Content-Length or chunked (the bare endpoint's {} goes out chunked), no allocation
        // inside the timed call.
        while (!HttpResponseParser.TryParse(_buffer.AsSpan(0, filled), ended: false, out head, out consumed))
        {
            int read = socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
            if (read == 0)
            {
                throw new InvalidOperationException($"{server} closed the connection mid-answer");
            }

            filled += read;
        }

        double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        if (head.Status is < 200 or > 299 || consumed != filled)
        {
            throw new InvalidOperationException($"{server}{path} answered {head.Status} ({filled} bytes read, {consumed} in the answer)");
        }

        return micros;
    }

    public void Dispose()
    {
        foreach (Socket socket in _sockets.Values)
        {
            socket.Dispose();
        }
    }
}
