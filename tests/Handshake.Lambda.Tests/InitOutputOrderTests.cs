namespace Handshake.Lambda.Tests;

/// <summary>
/// What init prints comes before START in the log and in the invocation's tail, as in Lambda's, even when the runtime
/// reaches its first `next` with lines still in the pipe (on a loaded machine the START line once came first). The
/// runtime prints 3,000 lines in one burst just before `next`, on a cold start and on the re-init after a crash.
/// </summary>
public sealed class InitOutputOrderTests
{
    private const int InitLines = 3000; // twice over, well inside the 10,000 events a function's log keeps

    [Fact]
    public async Task Every_line_init_printed_is_logged_before_START_on_a_cold_start_and_on_a_reinit()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("loud", environment: new() { ["INIT_MODE"] = "loud-init", ["INIT_LINES"] = InitLines.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        InvocationResult cold = await test.InvokeAsync("loud", "{}", tail: true);
        Assert.Null(cold.FunctionError);
        // The crash resets the environment; the next invocation re-runs init (a suppressed init) before it starts.
        Assert.Equal("Unhandled", (await test.InvokeAsync("loud", """{"crash":true}""")).FunctionError);
        InvocationResult reinit = await test.InvokeAsync("loud", "{}", tail: true);
        Assert.Null(reinit.FunctionError);

        List<string> log = await test.LogMessagesAsync("loud");
        int[] starts = [.. log.Select((line, i) => (line, i)).Where(x => x.line.StartsWith("START RequestId:", StringComparison.Ordinal)).Select(x => x.i)];
        Assert.Equal(3, starts.Length);
        int[] initDone = [.. log.Select((line, i) => (line, i)).Where(x => x.line.StartsWith("init done", StringComparison.Ordinal)).Select(x => x.i)];
        Assert.Equal(2, initDone.Length);
        // Each init's lines, all of them, then its "init done", then the START of the invocation it served.
        Assert.True(initDone[0] < starts[0], $"init done at {initDone[0]}, START at {starts[0]}");
        Assert.True(initDone[1] > starts[1] && initDone[1] < starts[2], $"re-init done at {initDone[1]}, STARTs at {string.Join(", ", starts)}");
        Assert.Equal(InitLines, log.Take(starts[0]).Count(l => l.StartsWith("init line ", StringComparison.Ordinal)));
        Assert.Equal(InitLines, log.Skip(starts[1]).Take(starts[2] - starts[1]).Count(l => l.StartsWith("init line ", StringComparison.Ordinal)));

        // The re-init's tail begins with what init printed (the tail keeps the last 4 KB: the end of the burst and
        // "init done"), and its START follows.
        string tail = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(reinit.LogResult!));
        Assert.True(tail.IndexOf("init done", StringComparison.Ordinal) < tail.IndexOf("START RequestId:", StringComparison.Ordinal), tail);
    }
}
