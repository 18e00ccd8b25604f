using System.Globalization;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The memory check's sum (<see cref="ProcessGroupMemory"/>): a cgroup member outside the group counts by its own pid,
/// but the leader never does. Between the host's fork and the leader's setsid() a walk of /proc sees the leader in the
/// host's group with the host's pages; counted by pid, a 128 MB function was killed Runtime.OutOfMemory at its cold
/// start (seen once in a CI run, as a function error where none was due). Played here with this test process as the
/// "leader" still in its parent's group.
/// </summary>
public sealed class ProcessGroupMemoryTests
{
    [Fact]
    public void The_leader_counts_through_its_group_only_never_by_its_pid()
    {
        int self = Environment.ProcessId;
        string stat = File.ReadAllText("/proc/self/stat");
        int group = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
        Assert.True(group != self, $"the test process leads its own group {group}: the case cannot be played");

        // No process is in a group whose id is this process's pid: only its own pages could make the sum non-zero.
        Assert.Equal(0, ProcessGroupMemory.ResidentBytes(self, [self], TimeSpan.Zero));

        // A member outside the group does count, with its resident pages (this process's, for the sake of the test).
        Assert.True(ProcessGroupMemory.ResidentBytes(-1, [self], TimeSpan.Zero) > 10 * 1024 * 1024);
    }
}
