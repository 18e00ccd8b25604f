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
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

    [Fact]
    public async Task TheRequestBoundIsExactAndEveryRequestReachesTheServer()
    {
        await using var server = Scripted(1_000, _ => Ok);
        var result = await RunAsync(server, connections: 8, maxRequests: 1_000);

        await AssertCountsAsync(result, server, requests: 1_000, reconnects: 0, connections: 8);
        Assert.Equal(1_000, result.Latency.TotalCount);
    }

    [Fact]
    public async Task ServerErrorsAndWrongBodiesAreCountedAsErrors()
    {
        await using var server = Scripted(400, n => (n % 4) switch
        {
            0 => "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
            1 => "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong",
            _ => Ok,
        });
        var result = await RunAsync(server, connections: 4, maxRequests: 400, bodyCheck: body => !body.SequenceEqual("wrong"u8));

        Assert.Equal(400, result.Requests);
        Assert.Equal(200, result.Errors);
        Assert.NotNull(result.FirstError);
        Assert.True(result.FirstError!.StartsWith("status 500: oops", StringComparison.Ordinal) || result.FirstError.StartsWith("status 200: wrong", StringComparison.Ordinal), result.FirstError);
    }

    [Fact]
    public async Task ChunkedAnswersAndAnswersSplitAcrossWritesAreRead()
    {
        await using var server = new ScriptedHttpServer();
        for (var n = 0; n < 200; n++)
        {
            server.Enqueue(n % 2 == 0 ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" : Ok, split: true);
        }

        var result = await RunAsync(server, connections: 2, maxRequests: 200, bodyCheck: body => body.IndexOf("{}"u8) >= 0);

        Assert.Equal(200, result.Requests);
        Assert.Equal(0, result.Errors);
    }

    [Fact]
    public async Task ConnectionCloseCostsOneReconnectPerAnswer()
    {
        await using var server = new ScriptedHttpServer();
        for (var n = 0; n < 60; n++)
        {
            server.Enqueue("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", close: true);
        }

        var result = await RunAsync(server, connections: 3, maxRequests: 60);

        // Three first connections and one per answer; the last three were opened, then retired unused.
        await AssertCountsAsync(result, server, requests: 60, reconnects: 60, connections: 63);
    }

    [Fact]
    public async Task AServerThatClosesInTheMiddleOfAnAnswerIsAnErrorAndTheRunGoesOn()
    {
        // Every fifth answer is cut after its head: Content-Length promises 10 bytes and the server closes after 2.
        await using var server = new ScriptedHttpServer();
        for (var n = 0; n < 100; n++)
        {
            server.Enqueue(n % 5 == 0 ? "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}" : Ok, close: n % 5 == 0);
        }

        var result = await RunAsync(server, connections: 2, maxRequests: 100);

        Assert.Equal(100, result.Requests);
        Assert.Equal(20, result.Errors);
        Assert.Equal(20, result.Reconnects);
        Assert.Equal("the server closed the connection in the middle of a response", result.FirstError);
    }

    [Fact]
    public async Task TheRunEndsAtItsDurationWithoutARequestBound()
    {
        // More answers than the run can use: had the duration not ended it, the script would run out, and the
        // unanswered request would show as an error (after the generator's 10 s grace). The run lasts 1 s, not 300 ms:
        // the duration counts from before the connections are opened, and a loaded 2-core machine can keep the
        // generator's thread off a core for a good part of 300 ms, so that it sends nothing before its deadline.
        // (10-20 thousand requests in the second were measured on a loaded 2-core machine.)
        await using var server = Scripted(200_000, _ => Ok);
        var duration = TimeSpan.FromSeconds(1);
        var result = await LoadGenerator.RunAsync(EndPoint(server), Requests(), 2, duration, long.MaxValue, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.Requests > 0, $"no request in {result.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(result.Requests < 200_000, "the script, not the duration, ended the run");
        Assert.True(result.Elapsed >= duration, $"the run ended after {result.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, result.Errors);
        Assert.Equal(result.Requests, server.Requests.Count);
    }

    [Fact]
    public async Task AServerThatNeverAnswersIsCancelledNotWaitedFor()
    {
        // Nothing scripted: the server holds every request open.
        await using var server = new ScriptedHttpServer();
        using var cancel = new CancellationTokenSource();
        var run = LoadGenerator.RunAsync(EndPoint(server), Requests(), 3, TimeSpan.FromSeconds(30), 100, null, cancel.Token);
        // Cancelled once the server holds all three requests, not after a fixed 500 ms that a loaded machine could
        // spend before the third connection had sent its request (which would then be missing from the counts).
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (server.Requests.Count < 3)
            {
                Assert.False(run.IsCompleted, $"the run ended with {server.Requests.Count} requests at the server");
                await Task.Delay(10, deadline.Token);
            }
        }

        cancel.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, result.Requests);
        Assert.Equal(3, result.Errors);
        Assert.Equal("cancelled while waiting for a response", result.FirstError);
    }

    [Fact]
    public async Task AServerThatGoesAwayEndsTheRunWithCountsNotAnException()
    {
        // One answer that closes the connection, and no listener left to reconnect to.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        var run = LoadGenerator.RunAsync(endPoint, Requests(), 1, TimeSpan.FromSeconds(30), 100, null, CancellationToken.None);
        using (var socket = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var buffer = new byte[4096];
            var received = 0;
            while (!Encoding.ASCII.GetString(buffer, 0, received).Contains("{\"n\":0}", StringComparison.Ordinal))
            {
                received += await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }

            listener.Stop();
            await socket.SendAsync("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray(), SocketFlags.None);
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.Requests);
        Assert.Equal(1, result.Errors);
        Assert.Equal(1, result.Reconnects);
        Assert.StartsWith("reconnecting failed: ", result.FirstError, StringComparison.Ordinal);
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
    private static async Task AssertCountsAsync(LoadResult result, ScriptedHttpServer server, long requests, long reconnects, int connections)
    {
        Assert.Equal(requests, result.Requests);
        Assert.Equal(0, result.Errors);
        Assert.Equal(reconnects, result.Reconnects);
        Assert.Equal(requests, server.Requests.Count);
        // Connections the generator opened last and retired unused may still wait in the listen backlog: let the accept
        // loop take them. If some never come, the wait ends at its bound and the count below shows how many.
        await Task.WhenAny(server.ConnectionsAccepted(connections), Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Equal(connections, server.Connections);
    }

    private static ScriptedHttpServer Scripted(int answers, Func<int, string> answer)
    {
        var server = new ScriptedHttpServer();
        for (var n = 0; n < answers; n++)
        {
            server.Enqueue(answer(n));
        }

        return server;
    }

    private static IPEndPoint EndPoint(ScriptedHttpServer server) => IPEndPoint.Parse(server.Address);

    private static Task<LoadResult> RunAsync(ScriptedHttpServer server, int connections, long maxRequests, BodyCheck? bodyCheck = null) =>
        LoadGenerator.RunAsync(EndPoint(server), Requests(), connections, TimeSpan.FromSeconds(30), maxRequests, bodyCheck, CancellationToken.None)
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
}
