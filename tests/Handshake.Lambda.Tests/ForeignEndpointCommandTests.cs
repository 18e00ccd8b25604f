using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// `handshake invoke` and `handshake logs` pointed at something that is not Handshake (a web server on the wrong port):
/// one line that names the answer as foreign and quotes its first line, not a page of HTML or a stack trace.
/// </summary>
public sealed class ForeignEndpointCommandTests
{
    private const string Page = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1></body></html>\n";

    [Fact]
    public async Task Invoke_names_an_html_error_page_as_not_lambdas_answer()
    {
        await using CannedServer server = CannedServer.Start(404, "text/html; charset=utf-8", Page);

        var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "seed", "--endpoint", server.Endpoint]);

        Assert.Equal(1, invoked.ExitCode);
        Assert.Equal(
            $"handshake: HTTP 404: not an answer of Lambda's API (text/html, {Encoding.UTF8.GetByteCount(Page)} bytes: \"<!DOCTYPE html>\"); is {server.Endpoint} a Handshake endpoint (`handshake up`)?\n",
            invoked.Stderr);
        Assert.Equal("", invoked.Stdout);
    }

    [Fact]
    public async Task Invoke_quotes_a_long_first_line_cut_and_an_empty_body_as_empty()
    {
        string line = new('x', 300);
        await using (CannedServer server = CannedServer.Start(502, "text/plain", line + "\nsecond line"))
        {
            var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "seed", "--endpoint", server.Endpoint]);
            Assert.Equal(1, invoked.ExitCode);
            Assert.Contains($"HTTP 502: not an answer of Lambda's API (text/plain, 312 bytes: \"{new string('x', 120)}...\")", invoked.Stderr);
            Assert.DoesNotContain("second line", invoked.Stderr);
        }

        await using (CannedServer server = CannedServer.Start(503, null, ""))
        {
            var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "seed", "--endpoint", server.Endpoint]);
            Assert.Equal(1, invoked.ExitCode);
            Assert.StartsWith("handshake: HTTP 503: not an answer of Lambda's API (no Content-Type, no body); is ", invoked.Stderr);
        }
    }

    [Fact]
    public async Task A_json_message_without_Lambdas_error_type_is_printed_with_the_status()
    {
        await using CannedServer server = CannedServer.Start(403, "application/json", """{"message":"Forbidden by the proxy"}""");

        var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "seed", "--endpoint", server.Endpoint]);

        Assert.Equal(1, invoked.ExitCode);
        Assert.Equal("handshake: HTTP 403: Forbidden by the proxy\n", invoked.Stderr);
    }

    [Theory]
    [InlineData("application/json", """{"hello":"world"}""", "The given key was not present")]
    [InlineData("text/html", Page, "'<' is an invalid start of a value")]
    [InlineData("application/json", """{"events":[{"timestamp":"noon","message":"m"}],"nextSequence":1}""", "'Number'")]
    public async Task Logs_names_a_200_that_is_not_a_page_of_logs(string contentType, string body, string reason)
    {
        await using CannedServer server = CannedServer.Start(200, contentType, body);

        var logs = await Repository.RunAsync(UpProcess.Executable, ["logs", "seed", "--endpoint", server.Endpoint]);

        Assert.Equal(1, logs.ExitCode);
        Assert.StartsWith($"handshake: the answer from {server.Endpoint} is not a page of Handshake's logs (", logs.Stderr);
        Assert.Contains(reason, logs.Stderr);
        Assert.EndsWith($"); is it a Handshake endpoint (`handshake up`)?\n", logs.Stderr);
        Assert.DoesNotContain("   at ", logs.Stderr);
    }

    /// <summary>Answers every request on 127.0.0.1 with one fixed response, then closes the connection.</summary>
    private sealed class CannedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _serving;
        private readonly CancellationTokenSource _stop = new();

        private CannedServer(TcpListener listener, byte[] response)
        {
            _listener = listener;
            _serving = ServeAsync(response);
        }

        public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public static CannedServer Start(int status, string? contentType, string body)
        {
            TcpListener listener = new(IPAddress.Loopback, 0);
            listener.Start();
            byte[] content = Encoding.UTF8.GetBytes(body);
            string head = $"HTTP/1.1 {status} Canned\r\n" + (contentType is null ? "" : $"Content-Type: {contentType}\r\n") +
                $"Content-Length: {content.Length}\r\nConnection: close\r\n\r\n";
            return new CannedServer(listener, [.. Encoding.ASCII.GetBytes(head), .. content]);
        }

        private async Task ServeAsync(byte[] response)
        {
            try
            {
                while (true)
                {
                    using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                    // Reads the request's head (the body, if any, is left unread: the connection closes after the answer).
                    byte[] buffer = new byte[64 * 1024];
                    int read = 0;
                    while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        int n = await socket.ReceiveAsync(buffer.AsMemory(read), _stop.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        read += n;
                    }

                    await socket.SendAsync(response, _stop.Token);
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }
}
