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
    public async Task A_full_account_serves_queued_invocations_in_arrival_order_across_functions()
    {
        // One slot. "busy" holds it; "other" queues for it; then "busy" queues again. Before the fix the released
        // environment went to busy's own queue first, so a function kept busy starved every other function.
        // "busy" holds the slot until the test releases it, not for a 1 s nap: a loaded machine could spend the nap
        // before both waiters were queued, and "other" would then find the slot free instead of queueing for it.
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 1 });
        test.AddBash("busy");
        test.AddBash("other");
        Task<InvocationResult> first = test.InvokeAsync("busy", test.HoldEvent(out string release));
        await test.WaitForLogAsync("busy", m => m.StartsWith("handling ", StringComparison.Ordinal));

        Task<InvocationResult> other = test.InvokeAsync("other", "{}");
        await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("other") == 1, "QueuedInvocations('other') == 1");
        Task<InvocationResult> second = test.InvokeAsync("busy", "{}");
        await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("busy") == 1, "QueuedInvocations('busy') == 1");
        TestHost.Release(release);

        Task finishedFirst = await Task.WhenAny(other, second);

        Assert.Same(other, finishedFirst);
        Assert.All(await Task.WhenAll(first, other, second), r => Assert.Null(r.FunctionError));
        Assert.Equal(1, test.Host.PeakAccountEnvironmentCount);
    }

    [Fact]
    public async Task Slots_move_between_busy_functions_only_towards_an_even_share()
    {
        // Two slots, both held by "a"; "b" queues twice, then "a" once more. The first slot "a" frees goes to "b", which
        // had none. The second stays with "a" although "b" still has an older waiter: one environment each is an even
        // share, and moving the slot again would only trade a warm environment for a cold start. Each held invocation
        // ends when the test creates its file, so the releases come one at a time whatever the machine's load.
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 2 });
        test.AddBash("a");
        test.AddBash("b");
        string[] release = [.. Enumerable.Range(0, 4).Select(_ => Path.Combine(Path.GetTempPath(), "handshake-release-" + Guid.NewGuid().ToString("N")))];
        try
        {
            Task<InvocationResult> a1 = test.InvokeAsync("a", Hold(release[0]));
            Task<InvocationResult> a2 = test.InvokeAsync("a", Hold(release[1]));
            await Eventually.WaitUntilAsync(() => test.Host.EnvironmentCount("a") == 2, "EnvironmentCount('a') == 2");
            Task<InvocationResult> b1 = test.InvokeAsync("b", Hold(release[2]));
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("b") == 1, "QueuedInvocations('b') == 1");
            Task<InvocationResult> b2 = test.InvokeAsync("b", "{}");
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("b") == 2, "QueuedInvocations('b') == 2");
            Task<InvocationResult> a3 = test.InvokeAsync("a", Hold(release[3]));
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("a") == 1, "QueuedInvocations('a') == 1");

            // "a" frees a slot: "b", with no environment and an older waiter, gets it.
            await File.WriteAllTextAsync(release[0], "");
            Assert.Null((await a1.WaitAsync(TestHost.Wait)).FunctionError);
            await Eventually.WaitUntilAsync(() => test.Host.EnvironmentCount("b") == 1, "EnvironmentCount('b') == 1");

            // "a" frees the other: one each is even, so it serves "a"'s own next invocation, warm.
            await File.WriteAllTextAsync(release[1], "");
            Assert.Null((await a2.WaitAsync(TestHost.Wait)).FunctionError);
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("a") == 0, "QueuedInvocations('a') == 0");

            // "b"'s own environment then serves its queue; "a"'s goes last (had it gone idle with "b" still queued, it
            // would rightly have made room for "b").
            await File.WriteAllTextAsync(release[2], "");
            Assert.All(await Task.WhenAll(b1, b2).WaitAsync(TestHost.Wait), r => Assert.Null(r.FunctionError));
            await File.WriteAllTextAsync(release[3], "");
            Assert.Null((await a3.WaitAsync(TestHost.Wait)).FunctionError);

            // One "init done" line per environment started (the bash runtime prints it once, after init).
            Assert.Equal(2, (await test.LogMessagesAsync("a")).Count(m => m.StartsWith("init done", StringComparison.Ordinal)));
            Assert.Equal(1, (await test.LogMessagesAsync("b")).Count(m => m.StartsWith("init done", StringComparison.Ordinal)));
            Assert.Equal(2, test.Host.PeakAccountEnvironmentCount);
        }
        finally
        {
            foreach (string file in release)
            {
                File.Delete(file);
            }
        }

        static string Hold(string file) => System.Text.Json.JsonSerializer.Serialize(new { hold = file });
    }

    [Fact]
    public async Task Deleting_a_function_ends_its_invocation_in_flight_and_refuses_the_queued_one()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("doomed", timeout: 60, reserved: 1);
        Task<InvocationResult> running = test.InvokeAsync("doomed", """{"sleep":true}""");
        await Eventually.WaitUntilAsync(() => test.Host.EnvironmentCount("doomed") == 1, "EnvironmentCount('doomed') == 1");
        Task<InvocationResult> queued = test.InvokeAsync("doomed", "{}");
        await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("doomed") == 1, "QueuedInvocations('doomed') == 1");

        test.Host.DeleteFunction("doomed");

        LambdaException refused = await Assert.ThrowsAsync<LambdaException>(() => queued);
        Assert.Equal("ResourceNotFoundException", refused.ErrorType);
        InvocationResult ended = await running.WaitAsync(TestHost.Wait);
        Assert.Equal("Unhandled", ended.FunctionError);
        Assert.Equal("Runtime.ExitError", TestHost.Json(ended).GetProperty("errorType").GetString());
        Assert.EndsWith("Runtime exited with error: signal: terminated", TestHost.Json(ended).GetProperty("errorMessage").GetString());
        await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("doomed", "{}"));
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
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
    public async Task Reserved_concurrency_set_to_zero_throttles_a_function_with_a_warm_environment()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("switch");
        int pid = TestHost.Json(await test.InvokeAsync("switch", """{"pid":1}""")).GetProperty("pid").GetInt32();

        test.Host.UpdateFunction("switch", f => f with { ReservedConcurrency = 0 });
        LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("switch", "{}"));

        Assert.Equal(429, e.StatusCode);
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", e.Reason);
        // The warm environment is not kept for later: it was shut down, and the store's warm path finds nothing either.
        Assert.Equal(0, test.Host.EnvironmentCount("switch"));
        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
        Assert.Null(test.Host.TryInvokeWarm("switch", new Invocation("warm", "{}"u8.ToArray())));

        // DeleteFunctionConcurrency: the function runs again.
        test.Host.UpdateFunction("switch", f => f with { ReservedConcurrency = null });
        Assert.Null((await test.InvokeAsync("switch", "{}")).FunctionError);
    }

    [Fact]
    public async Task Reserved_concurrency_lowered_below_the_warm_environments_limits_concurrent_invocations()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("lowered", reserved: 3);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => test.InvokeAsync("lowered", """{"nap":true}""")));
        Assert.Equal(3, test.Host.EnvironmentCount("lowered"));

        test.Host.UpdateFunction("lowered", f => f with { ReservedConcurrency = 1 });
        Assert.Equal(1, test.Host.EnvironmentCount("lowered"));
        string[] ids = [.. Enumerable.Range(0, 3).Select(i => $"lowered-{i}")];
        InvocationResult[] results = await Task.WhenAll(ids.Select(id =>
            test.Host.InvokeAsync("lowered", new Invocation(id, """{"nap":true}"""u8.ToArray())).WaitAsync(TestHost.Wait)));

        // All three ran (queued behind each other, the default), and all in the one environment the limit allows.
        Assert.All(results, r => Assert.Null(r.FunctionError));
        List<Logs.LogEvent> log = test.Host.Logs.For("lowered").Read(0, int.MaxValue);
        Assert.Single(log.Where(e => ids.Any(id => e.Message == "handling " + id)).Select(e => e.LogStreamName).Distinct());
        Assert.Equal(1, test.Host.EnvironmentCount("lowered"));
    }

    [Fact]
    public async Task Without_a_queue_a_lowered_reserved_concurrency_throttles_beyond_it_at_once()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { MaxQueuedInvocationsPerFunction = 0 });
        test.AddBash("narrow", reserved: 2, timeout: 60);
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => test.InvokeAsync("narrow", """{"nap":true}""")));
        Assert.Equal(2, test.Host.EnvironmentCount("narrow"));

        test.Host.UpdateFunction("narrow", f => f with { ReservedConcurrency = 1 });
        Task<InvocationResult> busy = test.Host.InvokeAsync("narrow", new Invocation("n1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("narrow", m => m == "handling n1");
        LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("narrow", "{}"));

        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", e.Reason);
        Assert.False(busy.IsCompleted);
        Assert.Equal(1, test.Host.EnvironmentCount("narrow"));
    }

    [Fact]
    public async Task Reserved_concurrency_set_to_zero_throttles_the_invocations_already_queued()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("drain", reserved: 1, timeout: 60);
        Task<InvocationResult> busy = test.Host.InvokeAsync("drain", new Invocation("d1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("drain", m => m == "handling d1");
        Task<InvocationResult> queued = test.InvokeAsync("drain", "{}");

        test.Host.UpdateFunction("drain", f => f with { ReservedConcurrency = 0 });

        LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => queued);
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", e.Reason);
        Assert.False(busy.IsCompleted);
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
