using System.Text;
using System.Text.Json;
using Handshake.Runtime.Bootstrap;
using Handshake.Runtime.Client;
using Handshake.Runtime.Context;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>The loop driven in-process, one <see cref="LambdaBootstrap.InvokeOnceAsync"/> at a time, with a fixed clock.</summary>
public sealed class LambdaBootstrapTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Each_iteration_answers_exactly_one_invocation()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        using var client = new RuntimeApiClient(api.Address);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var remaining = new List<TimeSpan>();
        LambdaHandler handler = async (payload, context, response) =>
        {
            remaining.Add(context.RemainingTime);
            using var reader = new StreamReader(payload);
            var text = await reader.ReadToEndAsync();
            if (text == "\"fail\"")
            {
                throw new FormatException("asked to fail");
            }

            await response.WriteAsync(Encoding.UTF8.GetBytes($"[{text},{text}]"));
        };
        var bootstrap = new LambdaBootstrap(handler, client, new LambdaEnvironment { FunctionName = "f" }, new FixedClock(now));

        var first = api.InvokeAsync("1", deadlineMs: now.ToUnixTimeMilliseconds() + 2500);
        await bootstrap.InvokeOnceAsync().WaitAsync(Timeout);
        var second = api.InvokeAsync("\"fail\"", deadlineMs: now.ToUnixTimeMilliseconds() + 100);
        await bootstrap.InvokeOnceAsync().WaitAsync(Timeout);

        Assert.Equal("[1,1]", (await first.WaitAsync(Timeout)).Body);
        var failed = await second.WaitAsync(Timeout);
        Assert.True(failed.IsError);
        Assert.Equal("FormatException", failed.ErrorTypeHeader);
        Assert.Equal([TimeSpan.FromMilliseconds(2500), TimeSpan.FromMilliseconds(100)], remaining);
        Assert.Equal(2, api.NextCalls);
        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task The_handlers_own_exception_is_posted_with_its_inner_exception_not_the_tasks_wrapper()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        using var client = new RuntimeApiClient(api.Address);
        var step = 0;
        LambdaHandler handler = async (payload, context, response) =>
        {
            await Task.Yield();
            step++;
            throw step == 1
                ? new InvalidOperationException("outer", new FormatException("inner"))
                : new AggregateException(new TimeoutException("only one"));
        };
        var bootstrap = new LambdaBootstrap(handler, client, new LambdaEnvironment { FunctionName = "f" });

        var first = api.InvokeAsync("{}");
        await bootstrap.InvokeOnceAsync().WaitAsync(Timeout);
        var second = api.InvokeAsync("{}");
        await bootstrap.InvokeOnceAsync().WaitAsync(Timeout);

        var outer = await first.WaitAsync(Timeout);
        Assert.Equal("InvalidOperationException", outer.ErrorTypeHeader);
        using (var json = JsonDocument.Parse(outer.Body))
        {
            Assert.Equal("outer", json.RootElement.GetProperty("errorMessage").GetString());
            Assert.Equal("FormatException", json.RootElement.GetProperty("cause").GetProperty("errorType").GetString());
        }

        // An aggregate the handler threw is reported as such, as AWS's runtime (which awaits the handler) reports it.
        var aggregate = await second.WaitAsync(Timeout);
        Assert.Equal("AggregateException", aggregate.ErrorTypeHeader);
        using (var json = JsonDocument.Parse(aggregate.Body))
        {
            Assert.Equal("TimeoutException", json.RootElement.GetProperty("causes")[0].GetProperty("errorType").GetString());
        }
    }

    [Fact]
    public void Runtime_api_500_means_exit_and_4xx_does_not()
    {
        Assert.True(new RuntimeApiException("next", System.Net.HttpStatusCode.InternalServerError, "").RuntimeShouldExit);
        Assert.False(new RuntimeApiException("response", System.Net.HttpStatusCode.BadRequest, "").RuntimeShouldExit);
        Assert.False(new RuntimeApiException("response", System.Net.HttpStatusCode.RequestEntityTooLarge, "").RuntimeShouldExit);
    }
}
