using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Runtime.Bootstrap;
using Handshake.Runtime.Client;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Tests;

/// <summary>
/// The loop sends <c>GET next</c> in the same write as each answer (HTTP/1.1 pipelining). Driven against a raw socket
/// that withholds its answers, so the test sees what the client sent before it had any reply.
/// </summary>
public sealed class RuntimeApiPipeliningTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string NextRequestLine = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n";

    private static string Event(string requestId, string payload) =>
        $"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {requestId}\r\nLambda-Runtime-Deadline-Ms: 1800000000000\r\n" +
        $"Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\nContent-Length: {payload.Length}\r\n\r\n{payload}";

    private const string Accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}";

    private static Task RunLoop(string address, CancellationToken stop)
    {
        LambdaHandler echo = async (payload, context, response) => await payload.CopyToAsync(response);
        // A thread of its own: the loop blocks in recv() and never yields it.
        return Task.Factory.StartNew(
            () => new LambdaBootstrap(echo, new RuntimeApiClient(address), new LambdaEnvironment { FunctionName = "f" }).RunAsync(stop),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    [Fact]
    public async Task The_answer_and_the_next_request_leave_before_any_reply()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var loop = RunLoop(listener.LocalEndpoint.ToString()!, stop.Token);
        using var socket = await listener.AcceptSocketAsync().WaitAsync(Timeout);
        var reader = new RequestReader(socket);

        Assert.StartsWith(NextRequestLine, await reader.UntilAsync(NextRequestLine));
        await socket.SendAsync(Encoding.ASCII.GetBytes(Event("r1", "[1]")));

        // No reply to the answer yet: the next request must already be on the wire behind it.
        var sent = await reader.UntilAsync(NextRequestLine);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\n", sent);
        Assert.EndsWith("\r\n\r\n[1]" + NextRequestLine + $"Host: {listener.LocalEndpoint}\r\n\r\n", sent);

        // Both replies together: the loop reads the 202, then runs the second event and pipelines again.
        await socket.SendAsync(Encoding.ASCII.GetBytes(Accepted + Event("r2", "[2]")));
        var second = await reader.UntilAsync(NextRequestLine);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r2/response HTTP/1.1\r\n", second);
        Assert.Contains("\r\n\r\n[2]" + NextRequestLine, second, StringComparison.Ordinal);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_rejected_answer_is_logged_and_the_pipelined_next_still_gets_its_event()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var loop = RunLoop(listener.LocalEndpoint.ToString()!, stop.Token);
        using var socket = await listener.AcceptSocketAsync().WaitAsync(Timeout);
        var reader = new RequestReader(socket);
        await reader.UntilAsync(NextRequestLine);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Event("r1", "[1]")));
        await reader.UntilAsync(NextRequestLine);

        const string rejected = "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 400 Bad Request\r\nContent-Length: {rejected.Length}\r\n\r\n{rejected}" + Event("r2", "[2]")));

        var second = await reader.UntilAsync(NextRequestLine);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r2/response HTTP/1.1\r\n", second);
        Assert.False(loop.IsCompleted);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_next_request_lost_with_a_closed_connection_is_sent_again_on_a_new_one()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var loop = RunLoop(listener.LocalEndpoint.ToString()!, stop.Token);
        using (var first = await listener.AcceptSocketAsync().WaitAsync(Timeout))
        {
            var reader = new RequestReader(first);
            await reader.UntilAsync(NextRequestLine);
            await first.SendAsync(Encoding.ASCII.GetBytes(Event("r1", "[1]")));
            await reader.UntilAsync(NextRequestLine);
            // The server accepts the answer and closes: the GET that went out behind it is lost with the connection.
            await first.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
            first.Shutdown(SocketShutdown.Both);
        }

        using var second = await listener.AcceptSocketAsync().WaitAsync(Timeout);
        var again = await new RequestReader(second).UntilAsync(NextRequestLine);
        Assert.StartsWith(NextRequestLine, again);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Timeout));
    }

    /// <summary>Accumulates what the client sent and hands it out up to the end of the request that starts with a marker.</summary>
    private sealed class RequestReader(Socket socket)
    {
        private readonly StringBuilder _pending = new();

        /// <summary>Reads until a whole request head starting with <paramref name="marker"/> has arrived; returns everything up to its end.</summary>
        public async Task<string> UntilAsync(string marker)
        {
            var buffer = new byte[4096];
            while (true)
            {
                var text = _pending.ToString();
                var at = text.IndexOf(marker, StringComparison.Ordinal);
                var end = at < 0 ? -1 : text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
                if (end >= 0)
                {
                    _pending.Remove(0, end + 4);
                    return text[..(end + 4)];
                }

                var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout);
                if (read == 0)
                {
                    throw new EndOfStreamException($"the client closed the connection; received so far: {text}");
                }

                _pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
    }
}
