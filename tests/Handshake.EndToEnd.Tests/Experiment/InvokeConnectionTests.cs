using Handshake.Experiment;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The bench's own Invoke client against a scripted HTTP/1.1 server: the request it writes, the answers it reads
/// (Content-Length, chunked, an error status with Connection: close, a function error), and a connection that breaks.
/// The server is tests/Shared's ScriptedHttpServer, the one the Runtime API client's tests use.
/// </summary>
public sealed class InvokeConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writes_one_invoke_request_and_keeps_the_connection_for_the_next()
    {
        await using ScriptedHttpServer server = new();
        server.Enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Amz-Executed-Version: $LATEST\r\n\r\n{}");
        server.Enqueue("HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n{\"id\":\"a\"}\n");
        using InvokeConnection connection = new(server.Endpoint, "my-function");

        string? first = await Task.Run(() => connection.Invoke("{\"n\":1}"u8)).WaitAsync(Timeout);
        string? second = await Task.Run(() => connection.Invoke("{\"n\":2}"u8)).WaitAsync(Timeout);

        Assert.Null(first);
        Assert.Null(second);
        Assert.Equal(1, connection.Opened);
        string[] requests = [.. server.Requests];
        Assert.Equal(2, requests.Length);
        string request = requests[0];
        Assert.StartsWith("POST /2015-03-31/functions/my-function/invocations HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 7\r\n\r\n{\"n\":1}", request, StringComparison.Ordinal);
        Assert.EndsWith("{\"n\":2}", requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_a_chunked_function_error_and_names_its_errno()
    {
        string body = "{\"errorType\":\"Error\",\"errorMessage\":\"connect EADDRNOTAVAIL 127.0.0.1:4566\"}";
        string chunked = $"{body.Length - 10:x}\r\n{body[..^10]}\r\n{10:x};ext=1\r\n{body[^10..]}\r\n0\r\n\r\n";
        await using ScriptedHttpServer server = new();
        server.Enqueue("HTTP/1.1 200 OK\r\nX-Amz-Function-Error: Unhandled\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
        server.Enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        using InvokeConnection connection = new(server.Endpoint, "f");

        Assert.Equal("Error (EADDRNOTAVAIL)", await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        // The chunked body was consumed to its end: the next answer on the same connection reads cleanly.
        Assert.Null(await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Equal(1, connection.Opened);
    }

    [Fact]
    public async Task An_error_status_with_connection_close_is_counted_and_the_next_call_reconnects()
    {
        await using ScriptedHttpServer server = new();
        server.Enqueue("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", close: true);
        server.Enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        using InvokeConnection connection = new(server.Endpoint, "f");

        Assert.Equal("HTTP 429", await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Null(await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
        Assert.Equal(2, connection.Opened);
    }

    [Fact]
    public async Task A_connection_closed_before_the_answer_is_complete_throws_IOException()
    {
        await using ScriptedHttpServer server = new();
        server.Enqueue("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"", close: true);
        using InvokeConnection connection = new(server.Endpoint, "f");

        await Assert.ThrowsAsync<IOException>(() => Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Disposing_twice_as_Ctrl_C_and_the_worker_do_is_quiet_and_ends_the_connection()
    {
        await using ScriptedHttpServer server = new();
        server.Enqueue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        InvokeConnection connection = new(server.Endpoint, "f");
        Assert.Null(await Task.Run(() => connection.Invoke("{}"u8)).WaitAsync(Timeout));

        // Ctrl-C's cancellation disposes the connection, then the worker's `using` does it again (a bench once died of
        // ObjectDisposedException here).
        connection.Dispose();
        connection.Dispose();

        Assert.Throws<ObjectDisposedException>(() => connection.Invoke("{}"u8));
        Assert.Equal(1, connection.Opened);
    }
}
