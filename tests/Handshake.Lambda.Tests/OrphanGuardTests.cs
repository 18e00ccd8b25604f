using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The guard kills registered process groups when its pipe from the host reaches EOF. The kernel closes that pipe
/// however the host ends, SIGKILL included; here the host side closes it without killing anything itself.
/// </summary>
public sealed class OrphanGuardTests
{
    [Fact]
    public async Task Closing_the_guards_pipe_kills_every_registered_group()
    {
        string marker = Guid.NewGuid().ToString("N");
        OrphanGuard guard = new();
        ProcessGroupLauncher launcher = new(guard);
        Dictionary<string, string> environment = new() { ["HANDSHAKE_TEST_MARKER"] = marker };
        // A group of two: the shell and its sleeping child.
        IChildProcess first = launcher.Start(new ProcessLaunchSpec("/bin/sh", ["-c", "sleep 600 & wait"], "/", environment));
        IChildProcess second = launcher.Start(new ProcessLaunchSpec("/bin/sleep", ["600"], "/", environment));
        first.SignalGroup(ProcessSignal.Stop);
        Assert.Equal('T', await ProcessTable.WaitForStateAsync(first.ProcessId, 'T'));

        guard.Dispose();

        await Task.WhenAll(first.Exited, second.Exited).WaitAsync(TestHost.Wait);
        Assert.Equal("signal: killed", await first.Exited);
        Assert.Equal("signal: killed", await second.Exited);
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(marker));
    }

    [Fact]
    public async Task A_killed_guard_is_replaced_and_still_knows_every_group()
    {
        string marker = Guid.NewGuid().ToString("N");
        OrphanGuard guard = new();
        ProcessGroupLauncher launcher = new(guard);
        Dictionary<string, string> environment = new() { ["HANDSHAKE_TEST_MARKER"] = marker };
        IChildProcess first = launcher.Start(new ProcessLaunchSpec("/bin/sleep", ["600"], "/", environment));
        using (System.Diagnostics.Process old = System.Diagnostics.Process.GetProcessById(guard.ProcessId!.Value))
        {
            old.Kill();
            await old.WaitForExitAsync().WaitAsync(TestHost.Wait);
        }

        // The next registration finds the pipe broken, starts a new guard and registers both groups with it.
        IChildProcess second = launcher.Start(new ProcessLaunchSpec("/bin/sleep", ["600"], "/", environment));
        guard.Dispose();

        await Task.WhenAll(first.Exited, second.Exited).WaitAsync(TestHost.Wait);
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(marker));
    }
}
