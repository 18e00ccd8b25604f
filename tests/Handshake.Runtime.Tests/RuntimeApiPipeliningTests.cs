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

    [Fact]
    public async Task The_answer_and_the_next_request_leave_before_any_reply()
    {
        await using var api = await Loop.StartAsync();

        // No reply to the answer yet: the next request must already be on the wire behind it.
        var sent = await api.AnswerFirstNextAsync();
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\n", sent);
        Assert.EndsWith("\r\n\r\n[1]" + NextRequestLine + $"Host: {api.Address}\r\n\r\n", sent);

        // Both replies together: the loop reads the 202, then runs the second event and pipelines again.
        await api.SendAsync(Accepted + Event("r2", "[2]"));
        var second = await api.Reader.UntilAsync(NextRequestLine);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r2/response HTTP/1.1\r\n", second);
        Assert.Contains("\r\n\r\n[2]" + NextRequestLine, second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_answer_is_logged_and_the_pipelined_next_still_gets_its_event()
    {
        await using var api = await Loop.StartAsync();
        await api.AnswerFirstNextAsync();

        const string rejected = "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}";
        await api.SendAsync($"HTTP/1.1 400 Bad Request\r\nContent-Length: {rejected.Length}\r\n\r\n{rejected}" + Event("r2", "[2]"));

        var second = await api.Reader.UntilAsync(NextRequestLine);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/r2/response HTTP/1.1\r\n", second);
        Assert.False(api.Running.IsCompleted);
    }

    [Fact]
    public async Task A_next_request_lost_with_a_closed_connection_is_sent_again_on_a_new_one()
    {
        await using var api = await Loop.StartAsync();
        await api.AnswerFirstNextAsync();

        // The server accepts the answer and closes: the GET that went out behind it is lost with the connection.
        await api.SendAsync("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        api.Socket.Shutdown(SocketShutdown.Both);

        var second = await api.AcceptAsync();
        Assert.StartsWith(NextRequestLine, await new RequestReader(second).UntilAsync(NextRequestLine));
    }

    /// <summary>The echo function's loop on a thread of its own (it blocks in recv()), connected to a raw listener.</summary>
    private sealed class Loop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _accepted = [];

        private Loop(TcpListener listener)
        {
            Listener = listener;
            LambdaHandler echo = async (payload, context, response) => await payload.CopyToAsync(response);
            Running = Task.Factory.StartNew(
                () => new LambdaBootstrap(echo, new RuntimeApiClient(Address), new LambdaEnvironment { FunctionName = "f" }).RunAsync(_stop.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }

        public TcpListener Listener { get; }

        public string Address => Listener.LocalEndpoint.ToString()!;

        public Task Running { get; }

        public Socket Socket { get; private set; } = null!;

        public RequestReader Reader { get; private set; } = null!;

        public static async Task<Loop> StartAsync()
        {
            TcpListener listener = new(IPAddress.Loopback, 0);
            listener.Start();
            Loop loop = new(listener);
            loop.Socket = await listener.AcceptSocketAsync().WaitAsync(Timeout);
            loop.Reader = new RequestReader(loop.Socket);
            return loop;
        }

        public Task SendAsync(string raw) => Socket.SendAsync(Encoding.ASCII.GetBytes(raw));

        /// <summary>
        /// The loop's next connection, closed only after the loop has stopped: closed first, it would end the loop's
        /// wait for an event with a closed connection, which races with the cancellation that DisposeAsync expects.
        /// </summary>
        public async Task<Socket> AcceptAsync()
        {
            var socket = await Listener.AcceptSocketAsync().WaitAsync(Timeout);
            _accepted.Add(socket);
            return socket;
        }

        /// <summary>Answers the first `next` with event r1 ("[1]"); returns what the loop sent next, up to its next `next`.</summary>
        public async Task<string> AnswerFirstNextAsync()
        {
            Assert.StartsWith(NextRequestLine, await Reader.UntilAsync(NextRequestLine));
            await SendAsync(Event("r1", "[1]"));
            return await Reader.UntilAsync(NextRequestLine);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Running.WaitAsync(Timeout));
            foreach (var accepted in _accepted)
            {
                accepted.Dispose();
            }

            Socket.Dispose();
            Listener.Dispose();
            _stop.Dispose();
        }
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
