using System.Text;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// What the Runtime API fuzz (<see cref="RuntimeApiFuzzTests"/>) found, each pinned on its own with a played runtime
/// (<see cref="FuzzLauncher"/>: no process, raw sockets). Each fails without its fix.
/// </summary>
public sealed class RuntimeApiFindingsTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    private static (TestHost Test, FuzzLauncher Launcher, OrphanGuard Guard) Start(string function)
    {
        OrphanGuard guard = new();
        FuzzLauncher launcher = new(new ProcessGroupLauncher(guard));
        TestHost test = TestHost.Start(launcher: launcher);
        test.Host.CreateFunction(RuntimeApiFuzzSequence.Definition(function, hangs: false));
        return (test, launcher, guard);
    }

    private static async Task<RawResponse?> SendAndReadAsync(RawConnection connection, string request)
    {
        await connection.SendAsync(Encoding.UTF8.GetBytes(request));
        return await connection.ReadResponseAsync(Soon);
    }

    private const string Next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";

    private static string InitError(string type, string body) =>
        $"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Error-Type: {type}\r\nContent-Length: {body.Length}\r\n\r\n{body}";

    private static string Response(string id, string body) =>
        $"POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}";

    /// <summary>The event went to a runtime whose init had failed, for an invocation the init error (or its retry) answers.</summary>
    [Fact]
    public async Task A_next_pipelined_behind_an_accepted_init_error_gets_no_event_and_the_retry_answers()
    {
        (TestHost test, FuzzLauncher launcher, OrphanGuard guard) = Start("fz-init-next");
        using OrphanGuard owned = guard;
        await using TestHost host = test;
        Task<InvocationResult> invoke = test.Host.InvokeAsync("fz-init-next", new Invocation("init-next-1", """{"n":1}"""u8.ToArray()));
        using RawConnection first = await RawConnection.ConnectAsync((await launcher.NextStartAsync("fz-init-next", Soon)).Address, "first");

        await first.SendAsync(Encoding.UTF8.GetBytes(InitError("Runtime.Crash", """{"errorMessage":"boom"}""") + Next));

        Assert.Equal(202, (await first.ReadResponseAsync(Soon))?.Status);
        RawResponse? next = await first.ReadResponseAsync(Soon);
        // Refused (403, as RIE), or told to exit (500), or closed by the reset: anything but the event.
        Assert.True(next is null || next.Status is 403 or 500, $"a next after an accepted init error got {next}");
        // Init is retried within the invocation, in a new process: its answer is the invocation's.
        using RawConnection retry = await RawConnection.ConnectAsync((await launcher.NextStartAsync("fz-init-next", Soon)).Address, "retry");
        RawResponse? retried = await SendAndReadAsync(retry, Next);
        Assert.Equal("init-next-1", retried?.Header("Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal(202, (await SendAndReadAsync(retry, Response("init-next-1", "\"retried\"")))?.Status);
        Assert.Equal("\"retried\"", TestHost.Text(await invoke.WaitAsync(Soon)));
        Assert.Empty(launcher.Violations);
    }

    /// <summary>The second init error of one init was accepted too (202), though it changes nothing.</summary>
    [Fact]
    public async Task A_second_init_error_of_the_same_init_is_refused()
    {
        (TestHost test, FuzzLauncher launcher, OrphanGuard guard) = Start("fz-init-twice");
        using OrphanGuard owned = guard;
        await using TestHost host = test;
        Task<InvocationResult> invoke = test.Host.InvokeAsync("fz-init-twice", new Invocation("init-twice-1", "{}"u8.ToArray()));
        using RawConnection first = await RawConnection.ConnectAsync((await launcher.NextStartAsync("fz-init-twice", Soon)).Address, "first");

        await first.SendAsync(Encoding.UTF8.GetBytes(InitError("Runtime.First", "{}") + InitError("Runtime.Second", "{}")));

        Assert.Equal(202, (await first.ReadResponseAsync(Soon))?.Status);
        RawResponse? second = await first.ReadResponseAsync(Soon);
        Assert.True(second is null || (second.Status == 403 && second.Text.Contains("\"errorType\":\"InvalidStateTransition\"", StringComparison.Ordinal)),
            $"a second init error got {second}");
        // The retry's init fails too: the invocation is answered with that failure, once.
        using RawConnection retry = await RawConnection.ConnectAsync((await launcher.NextStartAsync("fz-init-twice", Soon)).Address, "retry");
        Assert.Equal(202, (await SendAndReadAsync(retry, InitError("Runtime.Retry", """{"errorMessage":"again"}""")))?.Status);
        InvocationResult result = await invoke.WaitAsync(Soon);
        Assert.Equal("Runtime.Retry", result.ErrorType);
        Assert.Equal("""{"errorMessage":"again"}""", TestHost.Text(result));
    }

    /// <summary>
    /// A runtime that answered and exited before its next `next`, while the next invocation was already assigned to it
    /// (the pool had it idle): that invocation waited for its whole timeout (60 s here, up to 900 s) and failed with
    /// Sandbox.Timedout, for a runtime that was long gone.
    /// </summary>
    [Fact]
    public async Task A_runtime_that_exits_between_invocations_fails_the_assigned_invocation_at_once_with_Runtime_ExitError()
    {
        (TestHost test, FuzzLauncher launcher, OrphanGuard guard) = Start("fz-exit");
        using OrphanGuard owned = guard;
        await using TestHost host = test;
        Task<InvocationResult> first = test.Host.InvokeAsync("fz-exit", new Invocation("exit-1", "{}"u8.ToArray()));
        FuzzProcess process = await launcher.NextStartAsync("fz-exit", Soon);
        using RawConnection connection = await RawConnection.ConnectAsync(process.Address, "c");
        Assert.Equal("exit-1", (await SendAndReadAsync(connection, Next))?.Header("Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal(202, (await SendAndReadAsync(connection, Response("exit-1", "1")))?.Status);
        Assert.Equal("1", TestHost.Text(await first.WaitAsync(Soon)));

        // Taken from the pool (InvokeAsync takes an idle environment before it returns) while its runtime has not called
        // next yet; the runtime exits.
        Task<InvocationResult> second = test.Host.InvokeAsync("fz-exit", new Invocation("exit-2", "{}"u8.ToArray()));
        process.Exit("exit status 1");

        InvocationResult result = await second.WaitAsync(Soon);
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        Assert.Equal("""{"errorType":"Runtime.ExitError","errorMessage":"RequestId: exit-2 Error: Runtime exited with error: exit status 1"}""", TestHost.Text(result));
        List<string> log = await test.LogMessagesAsync("fz-exit");
        Assert.Contains(log, m => m.StartsWith("START RequestId: exit-2", StringComparison.Ordinal));
        Assert.Contains(log, m => m.StartsWith("RequestId: exit-2 Error: Runtime exited with error: exit status 1", StringComparison.Ordinal));

        // The environment is reset: the next invocation re-runs init in a new process.
        Task<InvocationResult> third = test.Host.InvokeAsync("fz-exit", new Invocation("exit-3", "{}"u8.ToArray()));
        using RawConnection again = await RawConnection.ConnectAsync((await launcher.NextStartAsync("fz-exit", Soon)).Address, "again");
        Assert.Equal("exit-3", (await SendAndReadAsync(again, Next))?.Header("Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal(202, (await SendAndReadAsync(again, Response("exit-3", "3")))?.Status);
        Assert.Equal("3", TestHost.Text(await third.WaitAsync(Soon)));
        await test.AssertServesAnotherFunctionAsync();
        Assert.Empty(launcher.Violations);
    }

    /// <summary>
    /// A runtime that closed the connection its `next` waited on (one with a timeout on `next`, not frozen) could not
    /// wait again: its `next` on a new connection got 403 (a next already waiting), and the next invocation went to the
    /// closed connection and timed out.
    /// </summary>
    [Fact]
    public async Task A_next_whose_connection_closes_is_withdrawn_and_a_next_on_a_new_connection_gets_the_event()
    {
        (TestHost test, FuzzLauncher launcher, OrphanGuard guard) = Start("fz-withdraw");
        using OrphanGuard owned = guard;
        await using TestHost host = test;
        Task<InvocationResult> first = test.Host.InvokeAsync("fz-withdraw", new Invocation("withdraw-1", "{}"u8.ToArray()));
        FuzzProcess process = await launcher.NextStartAsync("fz-withdraw", Soon);
        RawConnection closing = await RawConnection.ConnectAsync(process.Address, "closing");
        Assert.Equal("withdraw-1", (await SendAndReadAsync(closing, Next))?.Header("Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal(202, (await SendAndReadAsync(closing, Response("withdraw-1", "1")))?.Status);
        Assert.Equal("1", TestHost.Text(await first.WaitAsync(Soon)));
        await closing.SendAsync(Encoding.UTF8.GetBytes(Next));
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("fz-withdraw"));
        await Eventually.WaitUntilAsync(() => environment.WaitsInNext, "the next waiting", Soon);

        closing.Dispose();

        await Eventually.WaitUntilAsync(() => !environment.WaitsInNext, "the closed connection's next withdrawn", Soon);
        using RawConnection reopened = await RawConnection.ConnectAsync(process.Address, "reopened");
        await reopened.SendAsync(Encoding.UTF8.GetBytes(Next));
        await Eventually.WaitUntilAsync(() => environment.WaitsInNext, "the new next waiting", Soon);
        Task<InvocationResult> second = test.Host.InvokeAsync("fz-withdraw", new Invocation("withdraw-2", "{}"u8.ToArray()));
        Assert.Equal("withdraw-2", (await reopened.ReadResponseAsync(Soon))?.Header("Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal(202, (await SendAndReadAsync(reopened, Response("withdraw-2", "2")))?.Status);
        Assert.Equal("2", TestHost.Text(await second.WaitAsync(Soon)));
    }
}
