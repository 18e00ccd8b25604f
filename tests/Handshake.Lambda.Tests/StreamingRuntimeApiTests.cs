using System.Text;
using PlayedRuntime = Handshake.Lambda.Tests.RuntimeApiHttpTests.PlayedRuntime;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The Runtime API's side of response streaming, byte for byte: the test plays the runtime over a raw socket and posts
/// a streamed /response (chunked, with trailers), as AWS's runtimes do.
/// </summary>
public sealed class StreamingRuntimeApiTests
{
    private const string StreamingHead =
        "Host: x\r\nLambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n" +
        "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n";

    [Fact]
    public async Task Each_chunk_reaches_the_caller_before_the_next_is_sent_and_an_error_in_the_trailers_fails_the_invocation()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        ResponseStream stream = new(1024 * 1024);
        Task<InvocationResult> invoke = runtime.Host.InvokeAsync(PlayedRuntime.Function, new Invocation(Guid.NewGuid().ToString(), "{}"u8.ToArray()) { Stream = stream });
        string requestId = await runtime.NextAsync();

        await runtime.SendAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\n{StreamingHead}Content-Type: text/event-stream\r\n\r\n5\r\nfirst\r\n");
        Assert.Equal("text/event-stream", await stream.Started.WaitAsync(TestHost.Wait));
        Assert.Equal("first", Encoding.UTF8.GetString((await stream.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        Assert.False(invoke.IsCompleted);

        const string Error = """{"errorType":"Error","errorMessage":"late","trace":["Error: late"]}""";
        await runtime.SendAsync("6\r\nsecond\r\n0\r\nLambda-Runtime-Function-Error-Type: Error\r\n" +
            $"Lambda-Runtime-Function-Error-Body: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Error))}\r\n\r\n");

        Assert.Equal("second", Encoding.UTF8.GetString((await stream.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", await runtime.ReadResponseAsync());
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Error", result.ErrorType);
        Assert.Equal(Error, Encoding.UTF8.GetString(result.Payload.Span));
        Assert.False(await stream.Chunks.WaitToReadAsync().AsTask().WaitAsync(TestHost.Wait));

        // The environment goes on: the next invocation is served on the same connection.
        Task<InvocationResult> second = runtime.InvokeAsync("""{"n":2}""");
        string nextId = await runtime.NextAsync();
        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", await runtime.SendAndReadAsync(
            $"POST /2018-06-01/runtime/invocation/{nextId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"));
        Assert.Equal("ok", Encoding.UTF8.GetString((await second.WaitAsync(TestHost.Wait)).Payload.Span));
    }

    [Fact]
    public async Task Invoke_gets_a_streamed_answer_buffered_whatever_the_case_of_the_mode()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();

        string accepted = await runtime.SendAndReadAsync(
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: Streaming\r\n" +
            "Transfer-Encoding: chunked\r\n\r\n2\r\n[1\r\n3\r\n,2]\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted);
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
        Assert.Equal("[1,2]", Encoding.UTF8.GetString(result.Payload.Span));
    }

    [Fact]
    public async Task A_response_mode_other_than_streaming_or_buffered_is_400_InvalidFunctionResponseMode()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();

        string response = await runtime.SendAndReadAsync(
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: chunky\r\nContent-Length: 2\r\n\r\n{{}}");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.EndsWith("""{"errorType":"InvalidFunctionResponseMode","errorMessage":"Invalid function response mode"}""", response);
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Runtime.InvalidResponseModeHeader", result.ErrorType);
    }

    [Fact]
    public async Task A_stream_past_the_limit_is_413_closes_the_connection_and_fails_with_Function_ResponseSizeTooLarge()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        ResponseStream stream = new(8);
        Task<InvocationResult> invoke = runtime.Host.InvokeAsync(PlayedRuntime.Function, new Invocation(Guid.NewGuid().ToString(), "{}"u8.ToArray()) { Stream = stream });
        string requestId = await runtime.NextAsync();

        // The size line of the chunk that passes the limit is the last byte read (more after it would be left unread,
        // and the close would then be a reset).
        string response = await runtime.SendAndReadAsync(
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\n{StreamingHead}\r\n5\r\nfirst\r\n5\r\n");

        Assert.StartsWith("HTTP/1.1 413 Request Entity Too Large\r\n", response);
        Assert.EndsWith("""{"errorType":"RequestEntityTooLarge","errorMessage":"Exceeded maximum allowed payload size (8 bytes)."}""", response);
        Assert.True(await runtime.IsClosedAsync());
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Equal("Function.ResponseSizeTooLarge", result.ErrorType);
        Assert.Equal("first", Encoding.UTF8.GetString((await stream.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        Assert.False(await stream.Chunks.WaitToReadAsync().AsTask().WaitAsync(TestHost.Wait));
    }
}
