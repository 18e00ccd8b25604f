using System.Text.Json;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>Freeze, thaw, timeouts, crashes, init failures and idle reaping, with real processes.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task The_environment_is_frozen_between_invocations_and_thawed_for_the_next()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("freeze");

        int pid = TestHost.Json(await test.InvokeAsync("freeze", """{"pid":1}""")).GetProperty("pid").GetInt32();
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("freeze"));
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);

        Assert.Equal('T', await ProcessTable.WaitForStateAsync(pid, 'T'));
        Assert.True(environment.IsFrozen);

        // Thawed for the next invocation: the same process answers, and is frozen again afterwards.
        int again = TestHost.Json(await test.InvokeAsync("freeze", """{"pid":1}""")).GetProperty("pid").GetInt32();
        Assert.Equal(pid, again);
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);
        Assert.Equal('T', await ProcessTable.WaitForStateAsync(pid, 'T'));
        Assert.Equal(2, environment.Freezes);
    }

    [Fact]
    public async Task An_environment_with_invocations_queued_for_it_is_not_frozen_until_it_is_idle()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("queued", reserved: 1);

        // The first is held until the other three are queued behind it (a 1 s nap could end first on a loaded machine,
        // and the environment would then be frozen in between): each is handed over at `next` directly.
        Task<InvocationResult> first = test.InvokeAsync("queued", test.HoldEvent(out string release));
        await test.WaitForLogAsync("queued", m => m.StartsWith("START", StringComparison.Ordinal));
        Task<InvocationResult>[] waiting = [.. Enumerable.Range(0, 3).Select(_ => test.InvokeAsync("queued", """{"pid":1}"""))];
        await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("queued") == 3, "QueuedInvocations('queued') == 3");
        TestHost.Release(release);
        InvocationResult[] queued = await Task.WhenAll(waiting);
        Assert.Null((await first).FunctionError);
        Assert.All(queued, r => Assert.Null(r.FunctionError));

        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("queued"));
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);
        Assert.Equal(1, environment.Freezes);
        Assert.Equal('T', await ProcessTable.WaitForStateAsync(TestHost.Json(queued[0]).GetProperty("pid").GetInt32(), 'T'));
    }

    [Fact]
    public async Task Without_freezing_the_runtime_waits_in_next_running()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { FreezeBetweenInvocations = false });
        test.AddBash("nofreeze");

        int pid = TestHost.Json(await test.InvokeAsync("nofreeze", """{"pid":1}""")).GetProperty("pid").GetInt32();

        Assert.NotEqual('T', ProcessTable.State(pid));
        Assert.False(Assert.Single(test.Host.Environments("nofreeze")).IsFrozen);
    }

    [Fact]
    public async Task A_timeout_kills_the_environment_and_the_next_invocation_reinitialises_it_with_a_new_process()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("slow", timeout: 3);
        int pid = TestHost.Json(await test.InvokeAsync("slow", """{"pid":1}""")).GetProperty("pid").GetInt32();

        InvocationResult result = await test.InvokeAsync("slow", """{"sleep":true}""");

        Assert.Equal("Unhandled", result.FunctionError);
        JsonElement error = TestHost.Json(result);
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Task timed out after 3.00 seconds", error.GetProperty("errorMessage").GetString());
        Assert.Contains((await test.LogMessagesAsync("slow")), m => m.EndsWith("Task timed out after 3.00 seconds", StringComparison.Ordinal));

        // The environment was reset (ResetTests): the next invocation re-runs init in it, in a new process.
        int fresh = TestHost.Json(await test.InvokeAsync("slow", """{"pid":1}""")).GetProperty("pid").GetInt32();
        Assert.NotEqual(pid, fresh);
        Assert.Equal('?', ProcessTable.State(pid));
        Assert.Equal(1, test.Host.EnvironmentCount("slow"));
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task A_crash_mid_invocation_answers_Runtime_ExitError_and_the_environment_is_reset()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("crash");
        int pid = TestHost.Json(await test.InvokeAsync("crash", """{"pid":1}""")).GetProperty("pid").GetInt32();

        InvocationResult result = await test.InvokeAsync("crash", """{"crash":true}""");

        Assert.Equal("Unhandled", result.FunctionError);
        JsonElement error = TestHost.Json(result);
        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Error: Runtime exited with error: exit status 7", error.GetProperty("errorMessage").GetString());
        int fresh = TestHost.Json(await test.InvokeAsync("crash", """{"pid":1}""")).GetProperty("pid").GetInt32();
        Assert.NotEqual(pid, fresh);
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task An_init_error_is_the_answer_to_the_invocation()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("initerror", environment: new() { ["INIT_MODE"] = "init-error" });

        InvocationResult result = await test.InvokeAsync("initerror", "{}");

        Assert.Equal("Unhandled", result.FunctionError);
        JsonElement error = TestHost.Json(result);
        Assert.Equal("InitFailedOnPurpose", error.GetProperty("errorType").GetString());
        Assert.Equal("init failed on purpose", error.GetProperty("errorMessage").GetString());
        Assert.Contains((await test.LogMessagesAsync("initerror")), m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal) && m.Contains("Runtime.InitFailedOnPurpose"));

        // The environment was reset: every invocation re-runs init in it, within the invocation (a suppressed init).
        Assert.Equal("Unhandled", (await test.InvokeAsync("initerror", "{}")).FunctionError);
        List<string> log = await test.LogMessagesAsync("initerror");
        Assert.Single(log, m => m.Contains("Phase: init\t", StringComparison.Ordinal));
        Assert.Equal(2, log.Count(m => m.Contains("Phase: invoke\t", StringComparison.Ordinal)));
        Assert.Single(test.Host.Logs.For("initerror").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task An_init_error_is_retried_once_and_logged_with_START_END_REPORT_and_a_tail()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("initlog", environment: new() { ["INIT_MODE"] = "init-error" });

        InvocationResult result = await test.Host.InvokeAsync("initlog", new Invocation("init-1", "{}"u8.ToArray()) { TailLog = true }).WaitAsync(TestHost.Wait);

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("init failed on purpose", TestHost.Json(result).GetProperty("errorMessage").GetString());
        string[] expected =
        [
            @"^INIT_START Runtime Version: provided:al2023\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$",
            @"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.InitFailedOnPurpose$",
            @"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: invoke\tStatus: error\tError Type: Runtime.InitFailedOnPurpose$",
            @"^START RequestId: init-1 Version: \$LATEST$",
            @"^END RequestId: init-1$",
            @"^REPORT RequestId: init-1\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: error\tError Type: Runtime.InitFailedOnPurpose$",
        ];
        List<string> log = await test.LogMessagesAsync("initlog");
        Assert.True(expected.Length == log.Count, "the log:\n" + string.Join("\n", log));
        string[] tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.LogResult!)).TrimEnd('\n').Split('\n');
        Assert.Equal(expected.Length, tail.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Matches(expected[i], log[i]);
            Assert.Matches(expected[i], tail[i]);
        }

        // Reset, not gone: it keeps its slot, with no process, for a re-init within the next invocation.
        Assert.True(Assert.Single(test.Host.Environments("initlog")).AwaitsReinit);
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
    }

    [Fact]
    public async Task A_crash_during_init_answers_Runtime_ExitError()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("initcrash", environment: new() { ["INIT_MODE"] = "crash-init" });

        JsonElement error = TestHost.Json(await test.InvokeAsync("initcrash", "{}"));

        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Runtime exited with error: exit status 3", error.GetProperty("errorMessage").GetString());
        List<string> log = await test.LogMessagesAsync("initcrash");
        // Init in the Init phase, then its retry within the invocation: both crash.
        Assert.Equal(2, log.Count(m => m == "crashing during init"));
        int start = log.FindIndex(m => m.StartsWith("START", StringComparison.Ordinal));
        Assert.Matches(@"^RequestId: \S+ Error: Runtime exited with error: exit status 3\nRuntime.ExitError$", log[start + 1]);
        Assert.EndsWith("Status: error\tError Type: Runtime.ExitError", log.Single(m => m.StartsWith("REPORT", StringComparison.Ordinal)));
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task Init_over_the_init_limit_is_retried_within_the_invocation_and_succeeds_when_it_fits_the_timeout()
    {
        // The first init must have printed its line before the init limit stops it: 1 s leaves a loaded machine time to
        // start bash (300 ms, as before, was a bound on how fast a process starts); the 2 s sleep still overruns it.
        await using TestHost test = TestHost.Start(new FunctionHostOptions { InitTimeout = TimeSpan.FromSeconds(1) });
        test.AddBash("slowinit", timeout: 10, environment: new() { ["INIT_MODE"] = "slow-init", ["INIT_SECONDS"] = "2" });

        InvocationResult result = await test.InvokeAsync("slowinit", """{"x":1}""", tail: true);

        Assert.Null(result.FunctionError);
        Assert.Equal("""{"x":1}""", TestHost.Text(result));
        List<string> log = await test.LogMessagesAsync("slowinit");
        // The first init was stopped at the limit; the retry (a new process) ran init again, then the handler.
        Assert.Equal(2, log.Count(m => m == "initializing slowly"));
        Assert.Equal(1, log.Count(m => m.StartsWith("init done", StringComparison.Ordinal)));
        int initReport = log.FindIndex(m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal));
        Assert.Matches(@"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: timeout$", log[initReport]);
        Assert.Single(log, m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal));
        Assert.True(initReport < log.FindIndex(m => m.StartsWith("START", StringComparison.Ordinal)));
        // The retried init is part of the invocation: in its Duration (at least the 2 s sleep), not an Init Duration.
        string report = Assert.Single(log, m => m.StartsWith("REPORT", StringComparison.Ordinal));
        Assert.DoesNotContain("Init Duration", report);
        Assert.True(double.Parse(System.Text.RegularExpressions.Regex.Match(report, @"Duration: ([\d.]+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2000);
        // Both attempts are in the same log stream, and in the invocation's tail.
        Assert.Single(test.Host.Logs.For("slowinit").Read(0, int.MaxValue).Select(e => e.LogStreamName).Distinct());
        string tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.LogResult!));
        Assert.Contains("Phase: init\tStatus: timeout", tail);
        Assert.Contains("REPORT RequestId", tail);

        // The environment that came out of the retry stays warm: no third init.
        Assert.Null((await test.InvokeAsync("slowinit", "{}")).FunctionError);
        Assert.Equal(2, (await test.LogMessagesAsync("slowinit")).Count(m => m == "initializing slowly"));
        Assert.Equal(1, test.Host.EnvironmentCount("slowinit"));
    }

    [Fact]
    public async Task A_runtime_that_never_calls_next_is_retried_once_and_times_out_under_the_function_timeout()
    {
        // Each attempt must print its line before it is stopped: the first has the 1 s init limit, the retry what is left
        // of the 3 s function timeout (with 300 ms and 1 s, a loaded machine's slow bash start could miss a line).
        await using TestHost test = TestHost.Start(new FunctionHostOptions { InitTimeout = TimeSpan.FromSeconds(1) });
        test.AddBash("nonext", timeout: 3, environment: new() { ["INIT_MODE"] = "never-next" });

        InvocationResult result = await test.InvokeAsync("nonext", "{}", tail: true);

        JsonElement error = TestHost.Json(result);
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.EndsWith("Task timed out after 3.00 seconds", error.GetProperty("errorMessage").GetString());
        List<string> log = await test.LogMessagesAsync("nonext");
        Assert.Equal(2, log.Count(m => m == "never calling next"));
        List<string> platform = log.FindAll(m => m.StartsWith("INIT_REPORT", StringComparison.Ordinal) || m.StartsWith("START", StringComparison.Ordinal)
            || m.StartsWith("END", StringComparison.Ordinal) || m.StartsWith("REPORT", StringComparison.Ordinal));
        Assert.Equal(5, platform.Count);
        Assert.Matches(@"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: timeout$", platform[0]);
        Assert.Matches(@"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown$", platform[1]);
        Assert.StartsWith("START RequestId:", platform[2]);
        Assert.StartsWith("END RequestId:", platform[3]);
        Assert.EndsWith("Status: timeout", platform[4]);
        Assert.Contains(log, m => m.EndsWith("Task timed out after 3.00 seconds", StringComparison.Ordinal));
        Assert.Contains("Status: timeout", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(result.LogResult!)));
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task A_missing_bootstrap_is_an_invalid_entrypoint()
    {
        await using TestHost test = TestHost.Start();
        test.Host.CreateFunction(new Functions.FunctionDefinition { Name = "nothing", Runtime = "provided", CodeDirectory = Path.GetTempPath() });

        JsonElement error = TestHost.Json(await test.InvokeAsync("nothing", "{}"));

        Assert.Equal("Runtime.InvalidEntrypoint", error.GetProperty("errorType").GetString());
        Assert.Contains("Couldn't find valid bootstrap(s)", error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_frozen_environment_that_died_gives_its_account_slot_back_when_the_next_invocation_finds_it()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("dies");
        int pid = TestHost.Json(await test.InvokeAsync("dies", """{"pid":1}""")).GetProperty("pid").GetInt32();
        Task exited = Assert.Single(test.Host.Environments("dies")).ExitedAsync();
        Assert.Equal(1, test.Host.AccountEnvironmentCount);

        // Killed while frozen (SIGKILL ends a stopped process): it stays in the idle list until an invocation pops it.
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await exited.WaitAsync(TestHost.Wait);
        int next = TestHost.Json(await test.InvokeAsync("dies", """{"pid":1}""")).GetProperty("pid").GetInt32();

        Assert.NotEqual(pid, next);
        Assert.Equal(1, test.Host.EnvironmentCount("dies"));
        Assert.Equal(1, test.Host.AccountEnvironmentCount);
    }

    [Fact]
    public async Task Idle_environments_are_shut_down_after_the_idle_timeout()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        test.AddBash("idle");
        int pid = TestHost.Json(await test.InvokeAsync("idle", """{"pid":1}""")).GetProperty("pid").GetInt32();

        // Not Assert.Single(Environments).ExitedAsync(): on a loaded machine the 300 ms can pass before this line runs,
        // and the environment would already be gone. The count and the process say the same, whenever they are read.
        await Eventually.WaitUntilAsync(() => test.Host.EnvironmentCount("idle") == 0, "the idle environment is shut down");

        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
        // A later invocation starts a new environment.
        Assert.NotEqual(pid, TestHost.Json(await test.InvokeAsync("idle", """{"pid":1}""")).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Disposing_the_host_stops_frozen_and_busy_environments()
    {
        TestHost test = TestHost.Start();
        await using (test)
        {
            test.AddBash("a");
            test.AddBash("b", timeout: 60);
            await test.InvokeAsync("a", "{}");
            _ = test.Host.InvokeAsync("b", new Invocation("busy", """{"sleep":true}"""u8.ToArray()));
            await test.WaitForLogAsync("b", m => m.StartsWith("handling busy", StringComparison.Ordinal));
            Assert.Equal(2, test.Host.RunningProcessIds().Count);
        }

        // DisposeAsync asserted that no process with the test's marker is left.
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
    }
}
