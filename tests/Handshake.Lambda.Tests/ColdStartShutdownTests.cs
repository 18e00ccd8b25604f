using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A shutdown that comes while an environment is still starting (DeleteFunction during a cold start, the host stopping):
/// the process launched by the start must not be left running. Before the fix the shutdown found no process yet, did
/// nothing, and the process started after it ran on, frozen in `next`, until the host exited (or for good, when the
/// host stopped first: the orphan guard was already closed).
/// </summary>
public sealed class ColdStartShutdownTests
{
    [Fact]
    public async Task Deleting_a_function_during_a_cold_start_leaves_no_process()
    {
        using OrphanGuard guard = new();
        GatedLauncher launcher = new(new ProcessGroupLauncher(guard));
        await using TestHost test = TestHost.Start(launcher: launcher);
        test.AddBash("starting");

        // On the pool: the launch may run synchronously within the call, and is held there until released.
        Task<InvocationResult> invocation = Task.Run(() => test.InvokeAsync("starting", "{}"));
        await launcher.Entered.Task.WaitAsync(TestHost.Wait);
        test.Host.DeleteFunction("starting");
        launcher.Release.SetResult();
        InvocationResult result = await invocation;

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Runtime.ExitError", TestHost.Json(result).GetProperty("errorType").GetString());
        int pid = await launcher.Started.Task.WaitAsync(TestHost.Wait);
        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
    }

    [Fact]
    public async Task Stopping_the_host_during_a_cold_start_leaves_no_process()
    {
        using OrphanGuard guard = new();
        GatedLauncher launcher = new(new ProcessGroupLauncher(guard));
        TestHost test = TestHost.Start(launcher: launcher);
        test.AddBash("starting");

        Task<InvocationResult> invocation = Task.Run(() => test.Host.InvokeAsync("starting", new Invocation("cold", "{}"u8.ToArray())));
        await launcher.Entered.Task.WaitAsync(TestHost.Wait);
        Task disposed = test.Host.DisposeAsync().AsTask();
        launcher.Release.SetResult();
        await disposed.WaitAsync(TestHost.Wait);
        await invocation.WaitAsync(TestHost.Wait);

        int pid = await launcher.Started.Task.WaitAsync(TestHost.Wait);
        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
    }

    /// <summary>Holds the first launch until released, so that a shutdown can come in between.</summary>
    private sealed class GatedLauncher(IProcessLauncher inner) : IProcessLauncher
    {
        private int _launches;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IChildProcess Start(ProcessLaunchSpec spec)
        {
            bool first = Interlocked.Increment(ref _launches) == 1;
            if (first)
            {
                Entered.SetResult();
                Assert.True(Release.Task.Wait(TestHost.Wait), "the launch was never released");
            }

            IChildProcess process = inner.Start(spec);
            if (first)
            {
                Started.SetResult(process.ProcessId);
            }

            return process;
        }
    }
}
