using System.Text;
using System.Text.Json;
using Handshake.Runtime.Bootstrap;
using Handshake.Runtime.Client;
using Handshake.Runtime.Context;
using PlayedRuntime = Handshake.Lambda.Tests.RuntimeApiHttpTests.PlayedRuntime;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The C# runtime client's response streaming (<see cref="LambdaStreamingHandler"/>, <see cref="LambdaResponseStream"/>)
/// against the host's real Runtime API: the client runs in this process as the environment's runtime.
/// </summary>
public sealed class StreamingRuntimeClientTests
{
    [Fact]
    public async Task Each_write_reaches_the_caller_as_it_is_made_and_a_thrown_exception_ends_the_stream_with_the_error()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        LambdaStreamingHandler handler = async (payload, context, response) =>
        {
            bool fail = new StreamReader(payload).ReadToEnd().Contains("fail", StringComparison.Ordinal);
            response.ContentType = "text/plain";
            await response.WriteAsync("one"u8.ToArray());
            if (fail)
            {
                throw new InvalidOperationException("streamed boom");
            }

            await gate.Task;
            await response.WriteAsync("two"u8.ToArray());
        };

        ResponseStream stream = new(1024 * 1024);
        Task<InvocationResult> invoke = runtime.Host.InvokeAsync(PlayedRuntime.Function, new Invocation(Guid.NewGuid().ToString(), "{}"u8.ToArray()) { Stream = stream });
        using RuntimeApiClient client = new(await runtime.RuntimeApiAddress.WaitAsync(TestHost.Wait));
        LambdaBootstrap bootstrap = new(handler, client, new LambdaEnvironment { FunctionName = PlayedRuntime.Function });
        // Blocking calls (the client's design): off the test's thread.
        Task once = Task.Run(() => bootstrap.InvokeOnceAsync());

        Assert.Equal("text/plain", await stream.Started.WaitAsync(TestHost.Wait));
        Assert.Equal("one", Encoding.UTF8.GetString((await stream.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        Assert.False(invoke.IsCompleted);
        gate.SetResult();
        Assert.Equal("two", Encoding.UTF8.GetString((await stream.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        await once.WaitAsync(TestHost.Wait);
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
        Assert.False(await stream.Chunks.WaitToReadAsync().AsTask().WaitAsync(TestHost.Wait));

        // The same connection serves the next invocation, whose handler throws after its first write.
        ResponseStream failing = new(1024 * 1024);
        Task<InvocationResult> failed = runtime.Host.InvokeAsync(PlayedRuntime.Function, new Invocation(Guid.NewGuid().ToString(), """{"fail":1}"""u8.ToArray()) { Stream = failing });
        await Task.Run(() => bootstrap.InvokeOnceAsync()).WaitAsync(TestHost.Wait);
        Assert.Equal("one", Encoding.UTF8.GetString((await failing.Chunks.ReadAsync().AsTask().WaitAsync(TestHost.Wait)).Span));
        InvocationResult error = await failed.WaitAsync(TestHost.Wait);
        Assert.Equal("Unhandled", error.FunctionError);
        Assert.Equal("InvalidOperationException", error.ErrorType);
        JsonElement body = JsonDocument.Parse(error.Payload).RootElement;
        Assert.Equal("InvalidOperationException", body.GetProperty("errorType").GetString());
        Assert.Equal("streamed boom", body.GetProperty("errorMessage").GetString());
        Assert.Equal(1, client.Connections);
    }
}
