using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Experiment;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The bench's own Invoke client against a scripted HTTP/1.1 server: the request it writes, the answers it reads
/// (Content-Length, chunked, an error status with Connection: close, a function error), and a connection that breaks.
/// </summary>
public sealed class InvokeConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writes_one_invoke_request_and_keeps_the_connection_for_the_next()
    {
        await using ScriptedServer server = new(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Amz-Executed-Version: $LATEST\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n{\"id\":\"a\"}\n");
        using InvokeConnection connection = new(server.Endpoint, "my-function");

        string? first = await Task.Run(() => connection.Invoke("{\"n\":1}"u8)).WaitAsync(Timeout);
        string? second = await Task.Run(() => connection.Invoke("{\"n\":2}"u8)).WaitAsync(Timeout);

        Assert.Null(first);
        Assert.Null(second);
        Assert.Equal(1, connection.Opened);
        string request = await server.Requests[0].Task.WaitAsync(Timeout);
        Assert.StartsWith("POST /2015-03-31/functions/my-function/invocations HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 7\r\n\r\n{\"n\":1}", request, StringComparison.Ordinal);
        Assert.EndsWith("{\"n\":2}", await server.Requests[1].Task.WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_a_chunked_function_error_and_names_its_errno()
    {
        string body = "{\"errorType\":\"Error\",\"errorMessage\":\"connect EADDRNOTAVAIL 127.0.0.1:4566\"}";
        string chunked = $"{body.Length - 10:x}\r\n{body[..^10]}\r\n{10:x};ext=1\r\n{body[^10..]}\r\n0\r\n\r\n";
        await using ScriptedServer server = new(
            "HTTP/1.1 200 OK\r\nX-Amz-Function-Error: Unhandled\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        using InvokeConnection connection = new(server.Endpoint, "f");

        Assert.Equal("Error (EADDRNOTAVAIL)", await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        // The chunked body was consumed to its end: the next answer on the same connection reads cleanly.
        Assert.Null(await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Equal(1, connection.Opened);
    }

    [Fact]
    public async Task An_error_status_with_connection_close_is_counted_and_the_next_call_reconnects()
    {
        await using ScriptedServer server = new(
            "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        using InvokeConnection connection = new(server.Endpoint, "f");

        Assert.Equal("HTTP 429", await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Null(await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Equal(2, connection.Opened);
    }

    [Fact]
    public async Task A_connection_closed_before_the_answer_is_complete_throws_IOException()
    {
        await using ScriptedServer server = new("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"");
        using InvokeConnection connection = new(server.Endpoint, "f");

        await Assert.ThrowsAsync<IOException>(() => Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
    }

    /// <summary>
    /// Accepts connections and answers each request, in order, with the next scripted response (after which it closes
    /// a connection whose response says Connection: close, and closes the connection when the script runs out).
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string[] _responses;
        private readonly Task _serving;
        private int _next;

        public ScriptedServer(params string[] responses)
        {
            _responses = responses;
            Requests = [.. responses.Select(_ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously))];
            _listener.Start();
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
            _serving = ServeAsync();
        }

        public Uri Endpoint { get; }

        public TaskCompletionSource<string>[] Requests { get; }

        private async Task ServeAsync()
        {
            try
            {
                while (_next < _responses.Length)
                {
                    using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    await ServeConnectionAsync(client.GetStream());
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }

        private async Task ServeConnectionAsync(NetworkStream stream)
        {
            byte[] buffer = new byte[4096];
            while (_next < _responses.Length)
            {
                string request = await ReadRequestAsync(stream, buffer);
                if (request.Length == 0)
                {
                    return;
                }

                int index = _next++;
                Requests[index].TrySetResult(request);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(_responses[index]), _stop.Token);
                if (_responses[index].Contains("Connection: close", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }
        }

        /// <summary>The head and its Content-Length body; empty when the client closed first.</summary>
        private async Task<string> ReadRequestAsync(NetworkStream stream, byte[] buffer)
        {
            StringBuilder text = new();
            while (true)
            {
                string current = text.ToString();
                int headEnd = current.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd >= 0)
                {
                    int length = 0;
                    foreach (string line in current[..headEnd].Split("\r\n"))
                    {
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }

                    if (current.Length >= headEnd + 4 + length)
                    {
                        return current;
                    }
                }

                int read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return "";
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving.WaitAsync(Timeout);
            _stop.Dispose();
        }
    }
}
