using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Handshake.Bench.Load;

namespace Handshake.Bench.Peers;

/// <summary>
/// Measures a target's time to its first answered request: from just before its process started until a complete
/// 200 response arrives. Connection attempts repeat every millisecond while the port refuses; bounded in time.
/// </summary>
public static class StartupProbe
{
    public static async Task<TimeSpan> WaitForFirstAnswerAsync(
        PeerProcess peer, IPEndPoint endpoint, ReadOnlyMemory<byte> request, TimeSpan limit, CancellationToken ct)
    {
        var deadline = peer.StartedAt + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (peer.HasExited)
            {
                throw new InvalidOperationException($"{peer.Name} exited before answering; stderr:\n{peer.ErrorTail}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{peer.Name} did not answer within {limit.TotalSeconds} s; stderr:\n{peer.ErrorTail}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(endpoint, attempt.Token);
                await socket.SendAsync(request, SocketFlags.None, attempt.Token);
                var head = await new HttpResponseReader(socket).ReadAsync(attempt.Token);
                if (head.Status == 200)
                {
                    return Stopwatch.GetElapsedTime(peer.StartedAt);
                }

                throw new InvalidOperationException($"{peer.Name} answered its first request with status {head.Status}");
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // Not listening yet (or closed while starting): try again shortly.
                await Task.Delay(1, ct);
            }
        }
    }

    /// <summary>A free loopback port for a peer that needs its port on the command line.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
