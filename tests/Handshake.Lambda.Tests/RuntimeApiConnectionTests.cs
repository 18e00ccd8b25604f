using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static Handshake.Lambda.Tests.RuntimeApiHttpTests;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A runtime's connections misused: one that connects and never sends, a second connection asking for `next` while the
/// first waits, a connection reset in the middle of an answer's body.
/// </summary>
public sealed class RuntimeApiConnectionTests
{
    private static async Task<Socket> ConnectAsync(PlayedRuntime runtime)
    {
        string address = await runtime.RuntimeApiAddress.WaitAsync(TestHost.Wait);
        int colon = address.LastIndexOf(':');
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..])).WaitAsync(TestHost.Wait);
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        byte[] buffer = new byte[16 * 1024];
        int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task A_connection_that_never_sends_does_not_hold_up_the_runtime()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("""{"idle":1}""");
        using Socket idle = await ConnectAsync(runtime);

        string requestId = await runtime.NextAsync();
        string accepted = await runtime.SendAndReadAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}");

        Assert.StartsWith("HTTP/1.1 202 ", accepted);
        Assert.Equal("{}", TestHost.Text(await invoke.WaitAsync(TestHost.Wait)));
    }

    [Fact]
    public async Task A_next_from_a_second_connection_while_one_waits_gets_403_and_the_first_gets_the_event()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("""{"first":1}""");
        string requestId = await runtime.NextAsync();
        await runtime.SendAndReadAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{{}}");
        await invoke.WaitAsync(TestHost.Wait);

        // The runtime waits in next on its connection; another connection asks too.
        await runtime.SendAsync("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n");
        using Socket second = await ConnectAsync(runtime);
        await second.SendAsync("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n"u8.ToArray());
        string refused = await ReceiveAsync(second);
        Assert.StartsWith("HTTP/1.1 403 ", refused);
        Assert.Contains("InvalidStateTransition", refused);

        Task<InvocationResult> again = runtime.InvokeAsync("""{"second":2}""");
        Assert.EndsWith("""{"second":2}""", await runtime.ReadResponseAsync());
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task A_connection_reset_in_the_middle_of_an_answer_fails_the_invocation_at_once()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();

        // The head asks for 100 Continue, which the host sends once it has claimed the answer and waits for the body: the
        // reset then certainly comes in the middle of the body. (A fixed 100 ms pause, before, could pass on a loaded
        // machine before the host had read the head; the reset could then drop the unread head, and the invocation
        // waited for its 30 s timeout.)
        await runtime.SendAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await runtime.ReadExactlyAsync("HTTP/1.1 100 Continue\r\n\r\n".Length));
        await runtime.SendAsync("{\"part");
        runtime.Reset();

        // Well before the function's 30 s timeout: the answer was claimed, so nothing else would end the invocation.
        InvocationResult result = await invoke.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Runtime.TruncatedResponse", JsonDocument.Parse(result.Payload).RootElement.GetProperty("errorType").GetString());
    }
}
