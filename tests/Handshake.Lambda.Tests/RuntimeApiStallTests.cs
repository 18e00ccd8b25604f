using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Clients of an environment's Runtime API that stall: part of a head and then nothing, a trickled head, a body the
/// host skips that never comes. Each is closed after the head timeout (FunctionHostOptions.RuntimeApiHeadTimeout, 1 s
/// here), while the real runtime (the bash+curl runtime, a child process) goes on serving; a connection that has sent
/// nothing of a request is kept, as a runtime's keep-alive connection must be.
/// </summary>
public sealed class RuntimeApiStallTests
{
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(1);

    private static async Task<(TestHost Test, ExecutionEnvironment Environment)> StartAsync(string function)
    {
        TestHost test = TestHost.Start(new FunctionHostOptions { RuntimeApiHeadTimeout = HeadTimeout });
        test.AddBash(function, timeout: 5);
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync(function, "{}")));
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments(function));
        return (test, environment);
    }

    private static async Task<Socket> ConnectAsync(ExecutionEnvironment environment)
    {
        string address = environment.RuntimeApiAddress!;
        int colon = address.LastIndexOf(':');
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..])).WaitAsync(TestHost.Wait);
        return socket;
    }

    /// <summary>Reads until the host closes the connection; what it sent before closing, and how long that took.</summary>
    private static async Task<(string Received, TimeSpan After)> ReadUntilClosedAsync(Socket socket)
    {
        Stopwatch clock = Stopwatch.StartNew();
        StringBuilder received = new();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0)
            {
                return (received.ToString(), clock.Elapsed);
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task Half_a_head_then_nothing_is_closed_after_the_head_timeout_and_the_runtime_goes_on()
    {
        (TestHost test, ExecutionEnvironment environment) = await StartAsync("stall-head");
        await using TestHost owned = test;
        using Socket stalled = await ConnectAsync(environment);
        await stalled.SendAsync("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nLambda-Runti"u8.ToArray());

        // While it stalls, the runtime's own connection serves invocations.
        Assert.Equal("""{"during":1}""", TestHost.Text(await test.InvokeAsync("stall-head", """{"during":1}""")));

        (string received, TimeSpan after) = await ReadUntilClosedAsync(stalled);
        Assert.Equal("", received);
        Assert.InRange(after, TimeSpan.Zero, TestHost.Wait);
        Assert.Equal("""{"after":1}""", TestHost.Text(await test.InvokeAsync("stall-head", """{"after":1}""")));
        Assert.Same(environment, Assert.Single(test.Host.Environments("stall-head")));
    }

    [Fact]
    public async Task A_head_trickled_a_byte_at_a_time_is_closed_once_the_whole_head_has_taken_the_timeout()
    {
        (TestHost test, ExecutionEnvironment environment) = await StartAsync("stall-trickle");
        await using TestHost owned = test;
        using Socket trickling = await ConnectAsync(environment);
        Task<(string Received, TimeSpan After)> closed = ReadUntilClosedAsync(trickling);

        // Each byte well within the timeout of the one before: the timeout is for the whole head, not per read.
        Stopwatch clock = Stopwatch.StartNew();
        byte[] head = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"u8.ToArray();
        foreach (byte b in head)
        {
            if (closed.IsCompleted)
            {
                break;
            }

            try
            {
                await trickling.SendAsync(new[] { b });
            }
            catch (SocketException)
            {
                break;
            }

            await Task.Delay(HeadTimeout / 4);
        }

        (string received, TimeSpan _) = await closed;
        Assert.Equal("", received);
        // Closed before the head was all sent (it would take about 30 s).
        Assert.InRange(clock.Elapsed, HeadTimeout, TimeSpan.FromSeconds(20));
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("stall-trickle", "{}")));
    }

    [Fact]
    public async Task A_refused_request_whose_declared_body_never_comes_is_closed_after_the_head_timeout()
    {
        (TestHost test, ExecutionEnvironment environment) = await StartAsync("stall-body");
        await using TestHost owned = test;
        using Socket stalled = await ConnectAsync(environment);
        // A response for a request id that is not the current one: refused (400) once its body is skipped. The body,
        // just under the 6 MB + 100 bytes limit, never comes.
        await stalled.SendAsync("POST /2018-06-01/runtime/invocation/nope/response HTTP/1.1\r\nContent-Length: 6291000\r\n\r\n{\"par"u8.ToArray());

        (string received, TimeSpan _) = await ReadUntilClosedAsync(stalled);
        Assert.Equal("", received);
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("stall-body", "{}")));
    }

    [Fact]
    public async Task A_refused_request_whose_body_comes_is_still_answered_and_the_connection_kept()
    {
        (TestHost test, ExecutionEnvironment environment) = await StartAsync("skip-body");
        await using TestHost owned = test;
        using Socket client = await ConnectAsync(environment);
        // The body in two pieces, the second a tenth of the timeout later (so the skip waits for it; a longer pause
        // could pass the timeout on a loaded machine): skipped, then the 400 as before.
        await client.SendAsync("POST /2018-06-01/runtime/invocation/nope/response HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\":"u8.ToArray());
        await Task.Delay(HeadTimeout / 10);
        await client.SendAsync("\"bc\"}"u8.ToArray());
        string answer = await ReceiveAsync(client);
        Assert.StartsWith("HTTP/1.1 400 ", answer);
        Assert.EndsWith("""{"errorType":"InvalidRequestID","errorMessage":"Invalid request ID"}""", answer);

        // Kept open: the next request on it is answered too.
        await client.SendAsync("GET /2018-06-01/runtime/whatever HTTP/1.1\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 404 ", await ReceiveAsync(client));
    }

    [Fact]
    public async Task A_connection_that_has_sent_nothing_is_kept_past_the_head_timeout()
    {
        (TestHost test, ExecutionEnvironment environment) = await StartAsync("idle-kept");
        await using TestHost owned = test;
        using Socket idle = await ConnectAsync(environment);
        await Task.Delay(HeadTimeout * 3);

        // A keep-alive connection between requests: still served.
        await idle.SendAsync("GET /2018-06-01/runtime/whatever HTTP/1.1\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 404 ", await ReceiveAsync(idle));
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("idle-kept", "{}")));
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        byte[] buffer = new byte[16 * 1024];
        int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
