using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Freezing and thawing an environment must not cost the host a SIGCHLD each (SA_NOCLDSTOP), and a child's exit must
/// still be reported, with its status.
/// </summary>
public sealed class ChildStopNotificationsTests
{
    [Fact]
    public async Task After_a_launch_stops_and_continues_send_no_SIGCHLD_and_exits_are_still_reported()
    {
        using OrphanGuard guard = new();
        ProcessGroupLauncher launcher = new(guard);
        IChildProcess child = launcher.Start(new ProcessLaunchSpec("/bin/sleep", ["600"], "/", new Dictionary<string, string>()));

        // .NET's own handler stays installed (exits are what Process waits for); only the stop/continue reports are off.
        Assert.True(ChildStopNotifications.AreOff());

        for (int i = 0; i < 20; i++)
        {
            child.SignalGroup(ProcessSignal.Stop);
            Assert.Equal('T', await ProcessTable.WaitForStateAsync(child.ProcessId, 'T'));
            child.SignalGroup(ProcessSignal.Cont);
        }

        Assert.False(child.Exited.IsCompleted);
        child.SignalGroup(ProcessSignal.Kill);
        Assert.Equal("signal: killed", await child.Exited.WaitAsync(TestHost.Wait));
    }
}
