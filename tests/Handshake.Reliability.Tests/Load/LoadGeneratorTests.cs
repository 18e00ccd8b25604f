using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Bench.Load;

namespace Handshake.Reliability.Tests.Load;

/// <summary>
/// The benchmarks' load generator against a scripted server: every request it reports was answered, every wrong answer
/// is an error, a closing server costs a reconnect, and nothing it does can hang a run.
/// </summary>
public sealed class LoadGeneratorTests
{
    private static readonly byte[] Ok = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");

    [Fact]
    public async Task TheRequestBoundIsExactAndEveryRequestReachesTheServer()
    {
        await using var server = ScriptedServer.Start(_ => Ok);
        var result = await RunAsync(server, connections: 8, maxRequests: 1_000);

        AssertCounts(result, server, requests: 1_000, reconnects: 0, connections: 8);
        Assert.Equal(1_000, result.Latency.TotalCount);
    }

    [Fact]
    public async Task ServerErrorsAndWrongBodiesAreCountedAsErrors()
    {
        await using var server = ScriptedServer.Start(n => n % 4 == 0
            ? Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops")
            : n % 4 == 1
                ? Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong")
                : Ok);
        var result = await RunAsync(server, connections: 4, maxRequests: 400, bodyCheck: body => !body.SequenceEqual("wrong"u8));

        Assert.Equal(400, result.Requests);
        Assert.Equal(200, result.Errors);
        Assert.NotNull(result.FirstError);
        Assert.True(result.FirstError!.StartsWith("status 500: oops", StringComparison.Ordinal) || result.FirstError.StartsWith("status 200: wrong", StringComparison.Ordinal), result.FirstError);
    }

    [Fact]
    public async Task ChunkedAnswersAndAnswersSplitAcrossWritesAreRead()
    {
        await using var server = ScriptedServer.Start(n => n % 2 == 0
            ? Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            : Ok, splitWrites: true);
        var result = await RunAsync(server, connections: 2, maxRequests: 200, bodyCheck: body => body.IndexOf("{}"u8) >= 0);

        Assert.Equal(200, result.Requests);
        Assert.Equal(0, result.Errors);
    }

    [Fact]
    public async Task ConnectionCloseCostsOneReconnectPerAnswer()
    {
        await using var server = ScriptedServer.Start(_ => Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"), closeAfterAnswer: true);
        var result = await RunAsync(server, connections: 3, maxRequests: 60);

        // Three first connections and one per answer; the last three were opened, then retired unused.
        AssertCounts(result, server, requests: 60, reconnects: 60, connections: 63);
    }

    [Fact]
    public async Task AServerThatClosesInTheMiddleOfAnAnswerIsAnErrorAndTheRunGoesOn()
    {
        // Every fifth answer is cut after its head: Content-Length promises 10 bytes and the server closes after 2.
        await using var server = ScriptedServer.Start(n => n % 5 == 0
            ? Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")
            : Ok, closeWhen: n => n % 5 == 0);
        var result = await RunAsync(server, connections: 2, maxRequests: 100);

        Assert.Equal(100, result.Requests);
        Assert.Equal(20, result.Errors);
        Assert.Equal(20, result.Reconnects);
        Assert.Equal("the server closed the connection in the middle of a response", result.FirstError);
    }

    [Fact]
    public async Task TheRunEndsAtItsDurationWithoutARequestBound()
    {
        await using var server = ScriptedServer.Start(_ => Ok);
        var result = await LoadGenerator.RunAsync(server.EndPoint, Requests(), 2, TimeSpan.FromMilliseconds(300), long.MaxValue, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.Requests > 0);
        Assert.Equal(0, result.Errors);
        Assert.Equal(result.Requests, server.Requests);
    }

    [Fact]
    public async Task AServerThatNeverAnswersIsCancelledNotWaitedFor()
    {
        await using var server = ScriptedServer.Start(_ => null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var result = await LoadGenerator.RunAsync(server.EndPoint, Requests(), 3, TimeSpan.FromSeconds(30), 100, null, cancel.Token)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, result.Requests);
        Assert.Equal(3, result.Errors);
        Assert.Equal("cancelled while waiting for a response", result.FirstError);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", false, true, 200, 2, false)]
    [InlineData("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nCONNECTION: Close\r\n\r\n{\"a\"}", false, true, 200, 5, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", false, false, 0, 0, false)]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}", false, true, 400, 2, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", false, true, 200, 2, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, true, 200, 5, false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", false, false, 0, 0, false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\nto the end", false, false, 0, 0, false)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\nto the end", true, true, 200, 10, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", false, false, 0, 0, false)]
    public void TheParserFindsWholeAnswersOnly(string bytes, bool ended, bool whole, int status, int bodyLength, bool close)
    {
        var data = Encoding.ASCII.GetBytes(bytes);
        Assert.Equal(whole, HttpResponseParser.TryParse(data, ended, out var head, out var consumed));
        if (whole)
        {
            Assert.Equal(status, head.Status);
            Assert.Equal(bodyLength, head.BodyLength);
            Assert.Equal(close, head.Close);
            Assert.Equal(data.Length, consumed);
        }
    }

    [Fact]
    public void TheParserRefusesWhatIsNotHttp()
    {
        Assert.Throws<IOException>(() => HttpResponseParser.TryParse("SSH-2.0-OpenSSH\r\n\r\n"u8, false, out _, out _));
    }

    // What the generator reports and what the server saw must agree: every request answered, none lost or invented.
    private static void AssertCounts(LoadResult result, ScriptedServer server, long requests, long reconnects, int connections)
    {
        Assert.Equal(requests, result.Requests);
        Assert.Equal(0, result.Errors);
        Assert.Equal(reconnects, result.Reconnects);
        Assert.Equal(requests, server.Requests);
        Assert.Equal(connections, server.Connections);
    }

    private static Task<LoadResult> RunAsync(ScriptedServer server, int connections, long maxRequests, BodyCheck? bodyCheck = null) =>
        LoadGenerator.RunAsync(server.EndPoint, Requests(), connections, TimeSpan.FromSeconds(30), maxRequests, bodyCheck, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

    private static RequestSet Requests()
    {
        var requests = new ReadOnlyMemory<byte>[16];
        for (var i = 0; i < requests.Length; i++)
        {
            var body = "{\"n\":" + i + "}";
            requests[i] = Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }

        return new RequestSet("test", requests);
    }

    /// <summary>
    /// A loopback server that reads whole requests (head and Content-Length body) and answers each with the bytes the
    /// script gives for its sequence number, or not at all for null.
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly Func<int, byte[]?> _answer;
        private readonly Func<int, bool> _closeWhen;
        private readonly bool _splitWrites;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _accepted = [];
        private int _requests;
        private int _connections;

        private ScriptedServer(Func<int, byte[]?> answer, Func<int, bool> closeWhen, bool splitWrites)
        {
            _answer = answer;
            _closeWhen = closeWhen;
            _splitWrites = splitWrites;
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(128);
            _ = AcceptAsync();
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public int Requests => Volatile.Read(ref _requests);

        public int Connections => Volatile.Read(ref _connections);

        public static ScriptedServer Start(Func<int, byte[]?> answer, bool closeAfterAnswer = false, Func<int, bool>? closeWhen = null, bool splitWrites = false) =>
            new(answer, closeWhen ?? (_ => closeAfterAnswer), splitWrites);

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Dispose();
            lock (_accepted)
            {
                foreach (var socket in _accepted)
                {
                    socket.Dispose();
                }
            }

            return ValueTask.CompletedTask;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }

                    _ = ServeAsync(socket);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Disposed.
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            var buffer = new byte[4096];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    while (TryTakeRequest(buffer, ref filled))
                    {
                        var n = Interlocked.Increment(ref _requests) - 1;
                        var answer = _answer(n);
                        if (answer is null)
                        {
                            continue;
                        }

                        if (_splitWrites)
                        {
                            // The head and the body in separate segments, a moment apart.
                            await socket.SendAsync(answer.AsMemory(0, answer.Length / 2), SocketFlags.None, _stop.Token);
                            await Task.Delay(1, _stop.Token);
                            await socket.SendAsync(answer.AsMemory(answer.Length / 2), SocketFlags.None, _stop.Token);
                        }
                        else
                        {
                            await socket.SendAsync(answer, SocketFlags.None, _stop.Token);
                        }

                        if (_closeWhen(n))
                        {
                            socket.Shutdown(SocketShutdown.Both);
                            socket.Dispose();
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away, or the server is disposed.
            }
        }

        private static bool TryTakeRequest(byte[] buffer, ref int filled)
        {
            var data = buffer.AsSpan(0, filled);
            var headEnd = data.IndexOf("\r\n\r\n"u8);
            if (headEnd < 0)
            {
                return false;
            }

            var lengthAt = data[..headEnd].IndexOf("Content-Length: "u8);
            var length = 0;
            for (var i = lengthAt + 16; data[i] != (byte)'\r'; i++)
            {
                length = (length * 10) + (data[i] - '0');
            }

            var total = headEnd + 4 + length;
            if (filled < total)
            {
                return false;
            }

            Buffer.BlockCopy(buffer, total, buffer, 0, filled - total);
            filled -= total;
            return true;
        }
    }
}
