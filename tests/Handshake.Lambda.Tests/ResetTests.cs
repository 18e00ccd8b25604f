using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Lambda's reset after a timeout or a crash in an invocation: the environment's process group is killed, and the
/// environment (its id, log stream, credentials and concurrency slot) stays, with no process, until the next invocation
/// routed to it re-runs init within that invocation, under the function timeout, counted in its Duration.
/// </summary>
public sealed class ResetTests
{
    private static bool IsInitDone(string message) => message.StartsWith("init done", StringComparison.Ordinal);

    private static bool IsReport(string message) => message.StartsWith("REPORT", StringComparison.Ordinal);

    private static double Duration(string report) =>
        double.Parse(Regex.Match(report, @"\tDuration: ([\d.]+) ms").Groups[1].Value, CultureInfo.InvariantCulture);

    private static string DelayFile() => Path.Combine(Path.GetTempPath(), "handshake-init-delay-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_timeout_resets_the_environment_and_the_next_invocation_reinitialises_it_within_its_Duration()
    {
        string delay = DelayFile();
        await using TestHost test = TestHost.Start();
        // 3 s: the re-init below (a 0.5 s sleep, then bash, jq and curl) runs within an invocation's timeout, and a loaded
        // 2-core machine's process starts could push 2 s (as 1 s did in FaultTests).
        test.AddBash("slow", timeout: 3, environment: new() { ["INIT_DELAY_FILE"] = delay });
        try
        {
            JsonElement before = TestHost.Json(await test.InvokeAsync("slow", """{"environment":true}"""));
            int pid = TestHost.Json(await test.InvokeAsync("slow", """{"pid":1}""")).GetProperty("pid").GetInt32();
            ExecutionEnvironment environment = Assert.Single(test.Host.Environments("slow"));
            string accessKey = before.GetProperty("AWS_ACCESS_KEY_ID").GetString()!;

            JsonElement error = TestHost.Json(await test.InvokeAsync("slow", """{"sleep":true}"""));

            Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
            Assert.EndsWith("Task timed out after 3.00 seconds", error.GetProperty("errorMessage").GetString());
            // Reset: the process is killed, the environment stays, with its slot and no process.
            Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
            ExecutionEnvironment reset = Assert.Single(test.Host.Environments("slow"));
            Assert.Equal(environment.Id, reset.Id);
            Assert.True(reset.AwaitsReinit);
            Assert.Null(reset.ProcessId);
            Assert.Equal(1, test.Host.AccountEnvironmentCount);
            Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
            // The store's warm path (the event loop) does not take it: a re-init starts a process.
            Assert.Null(test.Host.TryInvokeWarm("slow", new Invocation("warm", "{}"u8.ToArray())));

            // The re-init takes half a second: it is in the next invocation's Duration.
            File.WriteAllText(delay, "0.5");
            JsonElement after = TestHost.Json(await test.InvokeAsync("slow", """{"environment":true}"""));

            // The same environment: the same log stream and the same credentials (the store counts its connections
            // under one key), a new process.
            Assert.Equal(before.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString(), after.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString());
            Assert.Equal(accessKey, after.GetProperty("AWS_ACCESS_KEY_ID").GetString());
            Assert.Equal(before.GetProperty("AWS_SESSION_TOKEN").GetString(), after.GetProperty("AWS_SESSION_TOKEN").GetString());
            Assert.True(test.Host.TryGetEnvironment(accessKey, out ExecutionEnvironmentIdentity identity));
            Assert.Equal(("slow", environment.Id), (identity.FunctionName, identity.EnvironmentId));
            Assert.True(test.Host.TryGetCredentials(accessKey, out _, out _));
            Assert.Equal(environment.Id, Assert.Single(test.Host.Environments("slow")).Id);
            Assert.NotEqual(pid, Assert.Single(test.Host.Environments("slow")).ProcessId);

            List<string> log = await test.LogMessagesAsync("slow");
            Assert.Equal(2, log.Count(IsInitDone));
            Assert.DoesNotContain(log, m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal));
            List<string> reports = log.FindAll(IsReport);
            Assert.Equal(4, reports.Count);
            Assert.Contains("Init Duration", reports[0]);
            Assert.EndsWith("Status: timeout", reports[2]);
            // The re-init is part of the invocation: no Init Duration, and its time is in Duration.
            Assert.DoesNotContain("Init Duration", reports[3]);
            Assert.True(Duration(reports[3]) >= 500, reports[3]);
            Assert.Single(test.Host.Logs.For("slow").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());

            // Warm again: no third init.
            System.Diagnostics.Stopwatch sinceReinit = System.Diagnostics.Stopwatch.StartNew();
            Assert.Null((await test.InvokeAsync("slow", "{}")).FunctionError);
            Assert.Equal(2, (await test.LogMessagesAsync("slow")).Count(IsInitDone));
            Assert.Equal(1, test.Host.PeakEnvironmentCount("slow"));

            // Only the invocation that re-initialised shares its timeout with init: one that comes longer than the
            // function timeout after the re-init is a plain warm invocation, with the whole timeout and a Duration
            // counted from its delivery (not from the re-init).
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            InvocationResult later = await test.InvokeAsync("slow", "{}");
            Assert.Null(later.FunctionError);
            string laterReport = (await test.LogMessagesAsync("slow")).FindAll(IsReport)[^1];
            Assert.True(Duration(laterReport) < sinceReinit.ElapsedMilliseconds, laterReport);
            Assert.Equal(2, (await test.LogMessagesAsync("slow")).Count(IsInitDone));
        }
        finally
        {
            File.Delete(delay);
        }
    }

    [Fact]
    public async Task A_crash_resets_the_environment_its_children_are_killed_and_the_next_invocation_reinitialises_it()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("crash");
        string stream = TestHost.Json(await test.InvokeAsync("crash", """{"environment":true}""")).GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString()!;
        string id = Assert.Single(test.Host.Environments("crash")).Id;

        JsonElement error = TestHost.Json(await test.InvokeAsync("crash", """{"fork":true,"crash":true}"""));

        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Error: Runtime exited with error: exit status 7", error.GetProperty("errorMessage").GetString());
        // The forked children were in the group: killed with it.
        string children = (await test.LogMessagesAsync("crash")).Single(m => m.StartsWith("children ", StringComparison.Ordinal));
        foreach (int child in children["children ".Length..].Split(' ').Select(int.Parse))
        {
            Assert.Equal('?', await ProcessTable.WaitForStateAsync(child, '?'));
        }

        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
        Assert.True(Assert.Single(test.Host.Environments("crash")).AwaitsReinit);

        InvocationResult next = await test.InvokeAsync("crash", """{"environment":true}""", tail: true);

        Assert.Null(next.FunctionError);
        Assert.Equal(stream, TestHost.Json(next).GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString());
        Assert.Equal(id, Assert.Single(test.Host.Environments("crash")).Id);
        List<string> log = await test.LogMessagesAsync("crash");
        Assert.Equal(2, log.Count(IsInitDone));
        List<string> reports = log.FindAll(IsReport);
        Assert.EndsWith("Status: error\tError Type: Runtime.ExitError", reports[1]);
        Assert.DoesNotContain("Init Duration", reports[2]);
        // The tail of the invocation that re-initialised begins at its init.
        string tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(next.LogResult!));
        Assert.StartsWith("init done", tail);
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task A_reinit_that_overruns_the_function_timeout_times_out_and_the_environment_recovers_once_init_is_fixed()
    {
        string delay = DelayFile();
        await using TestHost test = TestHost.Start();
        // 3 s: once init is fixed, the last invocation re-initialises within its timeout (bash, then curl), which a
        // loaded 2-core machine could push past 1 s (as it did in FaultTests).
        test.AddBash("doom", timeout: 3, environment: new() { ["INIT_DELAY_FILE"] = delay });
        try
        {
            Assert.Null((await test.InvokeAsync("doom", "{}")).FunctionError);
            string id = Assert.Single(test.Host.Environments("doom")).Id;
            Assert.Equal("Unhandled", (await test.InvokeAsync("doom", """{"crash":true}""")).FunctionError);
            // From now on init takes longer than the function timeout: the re-init cannot finish within an invocation.
            File.WriteAllText(delay, "60");

            for (int attempt = 0; attempt < 2; attempt++)
            {
                InvocationResult result = await test.InvokeAsync("doom", "{}");

                JsonElement error = TestHost.Json(result);
                Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
                Assert.EndsWith("Error: Task timed out after 3.00 seconds", error.GetProperty("errorMessage").GetString());
                // Still the same environment, reset again, and no process left.
                ExecutionEnvironment environment = Assert.Single(test.Host.Environments("doom"));
                Assert.Equal(id, environment.Id);
                Assert.True(environment.AwaitsReinit);
                Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
            }

            List<string> log = await test.LogMessagesAsync("doom");
            // As a retried init that overruns the function timeout is logged (see LifecycleTests): INIT_REPORT with
            // Phase: invoke, START, the timeout, END and REPORT with Status: timeout, and no Init phase of 10 s.
            List<string> platform = log.FindAll(m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal) || m.StartsWith("START", StringComparison.Ordinal)
                || m.StartsWith("END", StringComparison.Ordinal) || IsReport(m));
            Assert.Equal(3 + 3 + 4 + 4, platform.Count);
            Assert.DoesNotContain(platform, m => m.Contains("Phase: init", StringComparison.Ordinal));
            Assert.Matches(@"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown$", platform[6]);
            Assert.StartsWith("START RequestId:", platform[7]);
            Assert.StartsWith("END RequestId:", platform[8]);
            Assert.Matches(@"^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout$", platform[9]);
            Assert.Contains(log, m => m.EndsWith("Task timed out after 3.00 seconds", StringComparison.Ordinal));
            Assert.Single(test.Host.Logs.For("doom").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());

            // Init is fixed (fast again): the same environment re-initialises within the next invocation and serves.
            File.Delete(delay);
            InvocationResult fixedResult = await test.InvokeAsync("doom", """{"x":1}""");
            Assert.Null(fixedResult.FunctionError);
            Assert.Equal("""{"x":1}""", TestHost.Text(fixedResult));
            Assert.Equal(id, Assert.Single(test.Host.Environments("doom")).Id);
            Assert.DoesNotContain("Init Duration", (await test.LogMessagesAsync("doom")).FindLast(IsReport));
            Assert.Single(test.Host.Logs.For("doom").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());
            await test.AssertServesAnotherFunctionAsync();
        }
        finally
        {
            File.Delete(delay);
        }
    }

    [Fact]
    public async Task A_longer_timeout_gets_a_function_out_of_a_reinit_that_does_not_fit()
    {
        string delay = DelayFile();
        await using TestHost test = TestHost.Start();
        // 2 s, not 1 s: the first invocation's handler (bash, grep, curl) must fit in it on a loaded machine; the 2.5 s
        // re-init cannot.
        test.AddBash("short", timeout: 2, environment: new() { ["INIT_DELAY_FILE"] = delay });
        try
        {
            Assert.Null((await test.InvokeAsync("short", "{}")).FunctionError);
            Assert.Equal("Unhandled", (await test.InvokeAsync("short", """{"crash":true}""")).FunctionError);
            File.WriteAllText(delay, "2.5");
            Assert.Equal("Sandbox.Timedout", TestHost.Json(await test.InvokeAsync("short", "{}")).GetProperty("errorType").GetString());

            // A new configuration replaces the reset environment: the next invocation is a cold start with its own Init
            // phase (10 s), in a new log stream, and reports an Init Duration.
            test.Host.UpdateFunction("short", f => f with { Timeout = 3 });
            Assert.Equal(0, test.Host.EnvironmentCount("short"));
            Assert.Equal(0, test.Host.AccountEnvironmentCount);
            Assert.Null((await test.InvokeAsync("short", "{}")).FunctionError);

            await test.LogMessagesAsync("short");
            List<Logs.LogEvent> events = test.Host.Logs.For("short").Read(0, int.MaxValue);
            Assert.Equal(2, events.Select(e => e.LogStreamName).Distinct().Count());
            Assert.Contains("Init Duration", events.FindLast(e => IsReport(e.Message))!.Message);
        }
        finally
        {
            File.Delete(delay);
        }
    }

    [Fact]
    public async Task An_invocation_queued_behind_a_timeout_is_handed_the_reset_environment()
    {
        string hold = DelayFile();
        await using TestHost test = TestHost.Start();
        // 3 s: the queued invocation re-initialises the reset environment within its own timeout (bash, then curl), which
        // a loaded 2-core machine could push past 2 s.
        test.AddBash("one", timeout: 3, reserved: 1);
        Task<InvocationResult> first = test.Host.InvokeAsync("one", new Invocation("held", JsonSerializer.SerializeToUtf8Bytes(new { hold })));
        await test.WaitForLogAsync("one", m => m == "handling held");

        Task<InvocationResult> queued = test.InvokeAsync("one", """{"pid":1}""");
        await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("one") == 1, "QueuedInvocations('one') == 1");

        Assert.Equal("Sandbox.Timedout", TestHost.Json(await first.WaitAsync(TestHost.Wait)).GetProperty("errorType").GetString());
        Assert.Null((await queued).FunctionError);

        // The same environment served it after its re-init: one log stream, one environment, two inits.
        List<string> log = await test.LogMessagesAsync("one");
        Assert.Equal(2, log.Count(IsInitDone));
        Assert.DoesNotContain("Init Duration", log.FindLast(IsReport));
        Assert.Single(test.Host.Logs.For("one").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());
        Assert.Equal(1, test.Host.PeakEnvironmentCount("one"));
        Assert.Equal(1, test.Host.AccountEnvironmentCount);
    }

    [Fact]
    public async Task A_warm_environment_serves_before_a_reset_one_and_scale_out_reuses_the_reset_slot()
    {
        string holdA = DelayFile();
        string holdB = DelayFile();
        await using TestHost test = TestHost.Start();
        test.AddBash("pair", reserved: 2);
        try
        {
            // Two environments.
            Task<InvocationResult> a = test.Host.InvokeAsync("pair", new Invocation("a", JsonSerializer.SerializeToUtf8Bytes(new { hold = holdA })));
            Task<InvocationResult> b = test.Host.InvokeAsync("pair", new Invocation("b", JsonSerializer.SerializeToUtf8Bytes(new { hold = holdB })));
            await test.WaitForLogAsync("pair", m => m.StartsWith("handling ", StringComparison.Ordinal), count: 2);
            File.WriteAllText(holdA, "");
            File.WriteAllText(holdB, "");
            await Task.WhenAll(a, b).WaitAsync(TestHost.Wait);
            Assert.Equal(2, test.Host.EnvironmentCount("pair"));

            // One crashes (the most recently used); the other stays warm.
            Assert.Equal("Unhandled", (await test.InvokeAsync("pair", """{"crash":true}""")).FunctionError);
            ExecutionEnvironment warm = Assert.Single(test.Host.Environments("pair"), e => !e.AwaitsReinit);
            ExecutionEnvironment reset = Assert.Single(test.Host.Environments("pair"), e => e.AwaitsReinit);

            // The next invocation takes the warm environment, not the reset one.
            int pid = TestHost.Json(await test.InvokeAsync("pair", """{"pid":1}""")).GetProperty("pid").GetInt32();
            Assert.Equal(warm.ProcessId, pid);
            Assert.Equal(2, (await test.LogMessagesAsync("pair")).Count(IsInitDone));

            // Two at once: the second one re-initialises the reset environment in its slot, no third environment.
            File.Delete(holdA);
            Task<InvocationResult> busy = test.Host.InvokeAsync("pair", new Invocation("busy", JsonSerializer.SerializeToUtf8Bytes(new { hold = holdA })));
            await test.WaitForLogAsync("pair", m => m == "handling busy");
            InvocationResult second = await test.InvokeAsync("pair", """{"pid":1}""");
            File.WriteAllText(holdA, "");
            Assert.Null((await busy.WaitAsync(TestHost.Wait)).FunctionError);

            Assert.Null(second.FunctionError);
            Assert.Equal(3, (await test.LogMessagesAsync("pair")).Count(IsInitDone));
            Assert.Equal(2, test.Host.EnvironmentCount("pair"));
            Assert.Equal(2, test.Host.PeakEnvironmentCount("pair"));
            Assert.Contains(test.Host.Environments("pair"), e => e.Id == reset.Id && !e.AwaitsReinit);
        }
        finally
        {
            File.Delete(holdA);
            File.Delete(holdB);
        }
    }

    [Fact]
    public async Task A_reset_environment_is_reaped_when_idle_and_gives_its_slot_back()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        test.AddBash("reaped");
        Assert.Equal("Unhandled", (await test.InvokeAsync("reaped", """{"crash":true}""")).FunctionError);

        await Eventually.WaitUntilAsync(() => test.Host.EnvironmentCount("reaped") == 0, "EnvironmentCount('reaped') == 0");

        Assert.Equal(0, test.Host.AccountEnvironmentCount);
        // A later invocation is a cold start with an Init phase.
        Assert.Null((await test.InvokeAsync("reaped", "{}")).FunctionError);
        Assert.Contains("Init Duration", (await test.LogMessagesAsync("reaped")).FindLast(IsReport));
    }

    [Fact]
    public async Task Deleting_a_function_with_a_reset_environment_gives_its_slot_back()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("gone");
        Assert.Equal("Unhandled", (await test.InvokeAsync("gone", """{"crash":true}""")).FunctionError);
        Assert.Equal(1, test.Host.AccountEnvironmentCount);

        test.Host.DeleteFunction("gone");

        Assert.Equal(0, test.Host.AccountEnvironmentCount);
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
    }

    [Fact]
    public async Task The_account_gives_a_reset_environment_up_first_to_another_function()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 2 });
        test.AddBash("warm");
        test.AddBash("broken");
        test.AddBash("other");
        int warmPid = TestHost.Json(await test.InvokeAsync("warm", """{"pid":1}""")).GetProperty("pid").GetInt32();
        Assert.Equal("Unhandled", (await test.InvokeAsync("broken", """{"crash":true}""")).FunctionError);
        Assert.Equal(2, test.Host.AccountEnvironmentCount);

        // The account is full: the reset environment (no process) makes room, not the warm one.
        Assert.Null((await test.InvokeAsync("other", "{}")).FunctionError);

        Assert.Equal(0, test.Host.EnvironmentCount("broken"));
        Assert.Equal(1, test.Host.EnvironmentCount("warm"));
        Assert.Equal(warmPid, TestHost.Json(await test.InvokeAsync("warm", """{"pid":1}""")).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task A_lowered_reserved_concurrency_removes_the_reset_environment_before_a_warm_one()
    {
        string holdA = DelayFile();
        string holdB = DelayFile();
        await using TestHost test = TestHost.Start();
        test.AddBash("lowered", reserved: 2);
        try
        {
            Task<InvocationResult> a = test.Host.InvokeAsync("lowered", new Invocation("a", JsonSerializer.SerializeToUtf8Bytes(new { hold = holdA })));
            Task<InvocationResult> b = test.Host.InvokeAsync("lowered", new Invocation("b", JsonSerializer.SerializeToUtf8Bytes(new { hold = holdB })));
            await test.WaitForLogAsync("lowered", m => m.StartsWith("handling ", StringComparison.Ordinal), count: 2);
            File.WriteAllText(holdA, "");
            File.WriteAllText(holdB, "");
            await Task.WhenAll(a, b).WaitAsync(TestHost.Wait);
            Assert.Equal("Unhandled", (await test.InvokeAsync("lowered", """{"crash":true}""")).FunctionError);
            ExecutionEnvironment warm = Assert.Single(test.Host.Environments("lowered"), e => !e.AwaitsReinit);

            test.Host.UpdateFunction("lowered", f => f with { ReservedConcurrency = 1 });

            // The warm one stays (and serves, with no re-init); the reset one gave its slot back.
            Assert.Same(warm, Assert.Single(test.Host.Environments("lowered")));
            Assert.Equal(1, test.Host.AccountEnvironmentCount);
            Assert.Equal(warm.ProcessId, TestHost.Json(await test.InvokeAsync("lowered", """{"pid":1}""")).GetProperty("pid").GetInt32());
            Assert.Equal(2, (await test.LogMessagesAsync("lowered")).Count(IsInitDone));
        }
        finally
        {
            File.Delete(holdA);
            File.Delete(holdB);
        }
    }

    [Fact]
    public async Task A_reset_environments_slot_goes_to_another_functions_older_waiter_when_the_account_is_full()
    {
        string crash = DelayFile();
        string hold = DelayFile();
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 2 });
        test.AddBash("busy");
        test.AddBash("starved");
        try
        {
            // "busy" holds the whole account: one invocation will crash when told, the other waits for a file.
            Task<InvocationResult> crashes = test.Host.InvokeAsync("busy", new Invocation("crashes", JsonSerializer.SerializeToUtf8Bytes(new { hold = crash, thenCrash = true })));
            Task<InvocationResult> held = test.Host.InvokeAsync("busy", new Invocation("held", JsonSerializer.SerializeToUtf8Bytes(new { hold })));
            await test.WaitForLogAsync("busy", m => m.StartsWith("handling ", StringComparison.Ordinal), count: 2);
            // "starved" queues first, then another "busy" invocation.
            Task<InvocationResult> starved = test.InvokeAsync("starved", "{}");
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("starved") == 1, "QueuedInvocations('starved') == 1");
            Task<InvocationResult> later = test.Host.InvokeAsync("busy", new Invocation("later", "{}"u8.ToArray()));
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("busy") == 1, "QueuedInvocations('busy') == 1");

            // The crash resets "busy"'s environment, but its slot is owed to "starved" (older, with no environment):
            // the reset environment leaves instead of serving "busy"'s queue, and is never re-initialised.
            File.WriteAllText(crash, "");
            Assert.Equal("Runtime.ExitError", TestHost.Json(await crashes.WaitAsync(TestHost.Wait)).GetProperty("errorType").GetString());
            Assert.Null((await starved).FunctionError);
            File.WriteAllText(hold, "");
            Assert.Null((await held.WaitAsync(TestHost.Wait)).FunctionError);
            Assert.Null((await later.WaitAsync(TestHost.Wait)).FunctionError);

            await test.LogMessagesAsync("busy");
            List<Logs.LogEvent> events = test.Host.Logs.For("busy").Read(0, int.MaxValue);
            string crashedStream = events.Single(e => e.Message == "handling crashes").LogStreamName;
            Assert.StartsWith("REPORT RequestId: crashes", events.Last(e => e.LogStreamName == crashedStream).Message);
            // "later" ran on an environment that had its own Init phase (a cold start, once "starved" was done, or the
            // held one), not on the reset one.
            Assert.NotEqual(crashedStream, events.Single(e => e.Message == "handling later").LogStreamName);
            Assert.Equal(2, test.Host.PeakAccountEnvironmentCount);
            Assert.DoesNotContain(test.Host.Environments("busy"), e => e.AwaitsReinit);
        }
        finally
        {
            File.Delete(crash);
            File.Delete(hold);
        }
    }
}
