using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Sockets;
using HdrHistogram;

namespace Handshake.Bench.Load;

/// <summary>Returns false for a 2xx response whose body is not what the operation must answer.</summary>
public delegate bool BodyCheck(ReadOnlySpan<byte> body);

/// <summary>
/// A wrk-like closed-loop load generator: N kept-alive HTTP/1.1 connections, each sending the next prebuilt request as
/// soon as the previous response is read. Bounded by a request count and a duration; every response's status is
/// checked, and optionally its body. The same generator drives every target in a run.
/// </summary>
/// <remarks>
/// Like wrk, one thread runs all the connections as non-blocking sockets around epoll(7): a ready socket is read, its
/// response parsed and the next request sent with no thread hand-off. The client shares the machine's cores with the
/// server it measures, and the socket engine's way (epoll thread, thread-pool continuation per response) cost 12-14 us
/// of CPU per request here, taken from the server; this loop costs a third of that.
/// </remarks>
public static class LoadGenerator
{
    // Latencies above this are clamped into the histogram's top bucket rather than lost.
    private const long HighestLatencyMicroseconds = 60_000_000;

    // A hung server must not hang the bench: in-flight requests are abandoned this long after the run's end.
    private static readonly TimeSpan HungServerGrace = TimeSpan.FromSeconds(10);

    /// <summary>Runs the load. <paramref name="bodyCheck"/> returns false for a 2xx response whose body is wrong.</summary>
    public static Task<LoadResult> RunAsync(
        IPEndPoint target, RequestSet requests, int connections, TimeSpan duration, long maxRequests,
        BodyCheck? bodyCheck, CancellationToken ct)
    {
        var result = new TaskCompletionSource<LoadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                result.SetResult(new Run(target, requests, connections, duration, maxRequests, bodyCheck, ct).Execute());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "load generator",
        };
        thread.Start();
        return result.Task;
    }

    private sealed class Run(
        IPEndPoint target, RequestSet requests, int connectionCount, TimeSpan duration, long maxRequests,
        BodyCheck? bodyCheck, CancellationToken ct)
    {
        private readonly LongHistogram _latency = new(HighestLatencyMicroseconds, 3);
        private readonly Connection[] _connections = new Connection[connectionCount];
        private long _taken;
        private long _completed;
        private long _errors;
        private long _reconnects;
        private string? _firstError;
        private long _deadline;
        private int _busy;

        public LoadResult Execute()
        {
            var started = Stopwatch.GetTimestamp();
            _deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var hardStop = _deadline + (long)(HungServerGrace.TotalSeconds * Stopwatch.Frequency);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var epoll = LinuxSockets.CreateEpoll();

            var events = new byte[connectionCount * LinuxSockets.EpollEventSize];
            try
            {
                for (var i = 0; i < connectionCount; i++)
                {
                    _connections[i] = new Connection(Connect(), i);
                    _busy++;
                    SendNext(_connections[i]);
                }

                while (_busy > 0)
                {
                    if (ct.IsCancellationRequested || Stopwatch.GetTimestamp() > hardStop)
                    {
                        // Ctrl-C, or a response that did not come within the run's time bound.
                        foreach (var connection in _connections)
                        {
                            if (connection.Busy)
                            {
                                Complete(false, "cancelled while waiting for a response");
                            }
                        }

                        break;
                    }

                    // Registrations follow the connections: a new socket after a reconnect, EPOLLOUT while a send waits.
                    foreach (var connection in _connections)
                    {
                        Register(epoll, connection);
                    }

                    // A bounded wait, so that cancellation and the hard stop are seen even when nothing answers.
                    var ready = LinuxSockets.Wait(epoll, events, 100);

                    for (var e = 0; e < ready; e++)
                    {
                        var connection = _connections[(int)LinuxSockets.DataAt(events, e)];
                        if (!connection.Busy)
                        {
                            continue;
                        }

                        if (connection.Unsent > 0)
                        {
                            if (!TrySend(connection, out var error))
                            {
                                Fail(connection, error);
                            }
                        }
                        else
                        {
                            Receive(connection);
                        }
                    }
                }
            }
            finally
            {
                foreach (var connection in _connections)
                {
                    connection?.Socket.Dispose();
                }

                LinuxSockets.CloseFd(epoll);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            return new LoadResult(connectionCount, _completed, _errors, _reconnects, elapsed, _latency, _firstError, clientCpu);
        }

        // Adds, changes or removes the connection's registration when what it waits for changed since the last wait.
        private static void Register(int epoll, Connection connection)
        {
            if (!connection.Busy)
            {
                // A retired connection's socket stays open until the end; it must not wake the loop.
                if (connection.RegisteredFd >= 0)
                {
                    LinuxSockets.Control(epoll, LinuxSockets.EpollDelete, connection.RegisteredFd, 0, 0);
                    connection.RegisteredFd = -1;
                }

                return;
            }

            var fd = (int)connection.Socket.Handle;
            var wanted = connection.Unsent > 0 ? LinuxSockets.EpollOut : LinuxSockets.EpollIn;
            if (fd == connection.RegisteredFd && wanted == connection.RegisteredEvents)
            {
                return;
            }

            LinuxSockets.Control(epoll, fd == connection.RegisteredFd ? LinuxSockets.EpollModify : LinuxSockets.EpollAdd, fd, wanted, (ulong)connection.FirstIndex);
            connection.RegisteredFd = fd;
            connection.RegisteredEvents = wanted;
        }

        // Reads what the socket has, then answers every whole response in the buffer (one, as one request is in flight).
        private void Receive(Connection connection)
        {
            var ended = false;
            while (true)
            {
                if (connection.Filled == connection.Buffer.Length)
                {
                    Array.Resize(ref connection.Buffer, connection.Buffer.Length * 2);
                }

                var read = connection.Socket.Receive(connection.Buffer.AsSpan(connection.Filled), SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    break;
                }

                if (error != SocketError.Success)
                {
                    Fail(connection, new SocketException((int)error).Message);
                    return;
                }

                if (read == 0)
                {
                    ended = true;
                    break;
                }

                connection.Filled += read;
                if (connection.Buffer.AsSpan(0, connection.Filled).IndexOf("\r\n\r\n"u8) >= 0
                    && connection.Filled < connection.Buffer.Length)
                {
                    // Most answers arrive in one segment: parse before asking again, which would only say EAGAIN.
                    break;
                }
            }

            HttpResponseHead head;
            int consumed;
            try
            {
                if (!HttpResponseParser.TryParse(connection.Buffer.AsSpan(0, connection.Filled), ended, out head, out consumed))
                {
                    if (ended)
                    {
                        Fail(connection, "the server closed the connection in the middle of a response");
                    }

                    // The rest of the answer is still on its way: level-triggered, the socket is reported again.
                    return;
                }
            }
            catch (IOException e)
            {
                Fail(connection, e.Message);
                return;
            }

            var micros = (long)Stopwatch.GetElapsedTime(connection.SentAt).TotalMicroseconds;
            _latency.RecordValue(Math.Clamp(micros, 1, HighestLatencyMicroseconds));
            var body = connection.Buffer.AsSpan(head.BodyStart, head.BodyLength);
            var ok = head.Status is >= 200 and < 300;
            if (ok && bodyCheck is not null)
            {
                ok = bodyCheck(body);
            }

            Complete(ok, ok ? null : $"status {head.Status}: {Encoding.UTF8.GetString(body)}");
            // Bytes past the answer (a server that answered twice) stay for the next read, as the parser would see them.
            connection.Buffer.AsSpan(consumed, connection.Filled - consumed).CopyTo(connection.Buffer);
            connection.Filled -= consumed;
            if ((head.Close || ended) && !Reconnect(connection))
            {
                return;
            }

            SendNext(connection);
        }

        private void Fail(Connection connection, string error)
        {
            Complete(false, error);
            if (Reconnect(connection))
            {
                SendNext(connection);
            }
        }

        // Sends the connection's next request, or retires the connection when the run is over. A send that fails
        // counts as a failed request and the next one goes on a new connection, as with a read that fails.
        private void SendNext(Connection connection)
        {
            while (true)
            {
                if (Stopwatch.GetTimestamp() >= _deadline || ++_taken > maxRequests)
                {
                    Retire(connection);
                    return;
                }

                connection.Request = requests.Next(connection.NextIndex);
                connection.NextIndex = (connection.NextIndex + connectionCount) % requests.Count;
                connection.Unsent = connection.Request.Length;
                connection.SentAt = Stopwatch.GetTimestamp();
                if (TrySend(connection, out var error))
                {
                    return;
                }

                Complete(false, error);
                if (!Reconnect(connection))
                {
                    return;
                }
            }
        }

        // False with the error when the send failed; true when it is sent or waits for EPOLLOUT (Unsent > 0).
        private static bool TrySend(Connection connection, out string error)
        {
            error = "";
            while (connection.Unsent > 0)
            {
                var offset = connection.Request.Length - connection.Unsent;
                var sent = connection.Socket.Send(connection.Request.Span[offset..], SocketFlags.None, out var status);
                if (status == SocketError.WouldBlock)
                {
                    return true;
                }

                if (status != SocketError.Success)
                {
                    error = new SocketException((int)status).Message;
                    return false;
                }

                connection.Unsent -= sent;
            }

            return true;
        }

        // False when the server refuses the new connection (it is gone): the failure counts as one failed request and
        // this connection stops, while the run goes on with the others and ends with its counts, not an exception.
        private bool Reconnect(Connection connection)
        {
            connection.Socket.Dispose();
            // Closing the socket dropped its registration, and the new socket may get the same descriptor number.
            connection.RegisteredFd = -1;
            connection.Filled = 0;
            connection.Unsent = 0;
            _reconnects++;
            try
            {
                connection.Socket = Connect();
                return true;
            }
            catch (SocketException e)
            {
                Complete(false, "reconnecting failed: " + e.Message);
                Retire(connection);
                return false;
            }
        }

        private void Retire(Connection connection)
        {
            connection.Busy = false;
            _busy--;
        }

        private void Complete(bool ok, string? error)
        {
            _completed++;
            if (!ok)
            {
                _errors++;
                _firstError ??= error;
            }
        }

        private Socket Connect()
        {
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // Connecting blocks (loopback, a listening server answers at once); everything after it does not.
                socket.Connect(target);
                socket.Blocking = false;
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private sealed class Connection(Socket socket, int firstIndex)
    {
        public readonly int FirstIndex = firstIndex;
        public Socket Socket = socket;
        public int RegisteredFd = -1;
        public uint RegisteredEvents;
        public byte[] Buffer = new byte[16 * 1024];
        public int Filled;
        public ReadOnlyMemory<byte> Request;
        public int Unsent;
        public long SentAt;
        public int NextIndex = firstIndex;
        public bool Busy = true;
    }
}
