using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>Scale-out under concurrency, the limits, throttling and Event invocations.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_invocations_scale_out_up_to_the_reserved_concurrency_and_queue_beyond()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("wide", reserved: 3);

        InvocationResult[] results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => test.InvokeAsync("wide", """{"nap":true}""")));

        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.Equal(3, test.Host.PeakEnvironmentCount("wide"));
        Assert.Equal(3, test.Host.EnvironmentCount("wide"));
    }

    [Fact]
    public async Task The_account_limit_bounds_every_function_together()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 2 });
        test.AddBash("one");
        test.AddBash("two");

        Task<InvocationResult[]> first = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => test.InvokeAsync("one", """{"nap":true}""")));
        Task<InvocationResult[]> second = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => test.InvokeAsync("two", """{"nap":true}""")));
        InvocationResult[] all = [.. await first, .. await second];

        Assert.All(all, r => Assert.Null(r.FunctionError));
        Assert.Equal(2, test.Host.PeakAccountEnvironmentCount);
        Assert.True(test.Host.EnvironmentCount("one") + test.Host.EnvironmentCount("two") <= 2);
    }

    [Fact]
    public async Task Reserved_concurrency_zero_throttles_every_invocation()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("off", reserved: 0);

        LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("off", "{}"));

        Assert.Equal(429, e.StatusCode);
        Assert.Equal("TooManyRequestsException", e.ErrorType);
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", e.Reason);
        Assert.Equal("Rate Exceeded.", e.Message);
    }

    [Fact]
    public async Task Without_a_queue_a_busy_function_is_throttled_with_the_right_reason()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { MaxQueuedInvocationsPerFunction = 0, AccountConcurrencyLimit = 2 });
        test.AddBash("reserved", reserved: 1, timeout: 60);
        test.AddBash("account", timeout: 60);
        test.AddBash("third");

        Task<InvocationResult> busy1 = test.Host.InvokeAsync("reserved", new Invocation("r1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("reserved", m => m == "handling r1");
        LambdaException reserved = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("reserved", "{}"));
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", reserved.Reason);

        Task<InvocationResult> busy2 = test.Host.InvokeAsync("account", new Invocation("a1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("account", m => m == "handling a1");
        LambdaException account = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("third", "{}"));
        Assert.Equal(429, account.StatusCode);
        Assert.Equal("ConcurrentInvocationLimitExceeded", account.Reason);
        Assert.False(busy1.IsCompleted || busy2.IsCompleted);
    }

    [Fact]
    public async Task An_event_that_fails_is_retried_twice_with_the_same_request_id()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { EventRetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)] });
        test.AddBash("retry");

        test.Host.InvokeEvent("retry", new Invocation("event-1", Encoding.UTF8.GetBytes("""{"fail":true}""")));
        await test.WaitForLogAsync("retry", m => m.StartsWith("REPORT RequestId: event-1", StringComparison.Ordinal), count: 3);
        // One more event through the same queue proves that no fourth attempt was made before it.
        test.Host.InvokeEvent("retry", new Invocation("event-2", Encoding.UTF8.GetBytes("{}")));
        await test.WaitForLogAsync("retry", m => m.StartsWith("REPORT RequestId: event-2", StringComparison.Ordinal));

        Assert.Equal(3, (await test.LogMessagesAsync("retry")).Count(m => m == "START RequestId: event-1 Version: $LATEST"));
    }

    [Fact]
    public async Task A_successful_event_runs_once()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { EventRetryDelays = [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10)] });
        test.AddBash("once");

        test.Host.InvokeEvent("once", new Invocation("ok-1", Encoding.UTF8.GetBytes("{}")));
        await test.WaitForLogAsync("once", m => m.StartsWith("REPORT RequestId: ok-1", StringComparison.Ordinal));
        test.Host.InvokeEvent("once", new Invocation("ok-2", Encoding.UTF8.GetBytes("{}")));
        await test.WaitForLogAsync("once", m => m.StartsWith("REPORT RequestId: ok-2", StringComparison.Ordinal));

        Assert.Equal(1, (await test.LogMessagesAsync("once")).Count(m => m.StartsWith("START RequestId: ok-1", StringComparison.Ordinal)));
    }
}
