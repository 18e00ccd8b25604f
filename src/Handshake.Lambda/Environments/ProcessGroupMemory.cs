using System.Diagnostics;
using System.Globalization;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The resident memory of process groups, summed over every process whose /proc/PID/stat names the group. Children
/// a function forks (and those reparented to init when their parent exits) are counted, as Lambda counts the sandbox;
/// so are the processes of the environment's cgroup that left the group (a daemon's `setsid`), which only the cgroup
/// still ties to the environment. One walk of /proc serves every environment that asks within <c>maxAge</c>: the walk
/// reads one file per process on the machine, so it is shared rather than repeated per environment.
/// </summary>
internal static class ProcessGroupMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;
    private static readonly Lock Gate = new();
    private static Snapshot _snapshot = new([], []);
    private static long _takenAt;

    /// <summary>
    /// Bytes resident in the group's processes, and in those of <paramref name="contained"/> (the environment's cgroup)
    /// that are outside the group; 0 when none is left. From a walk no older than maxAge: a process newer than the walk is
    /// counted from the next one. The leader (the pid that is the group's id) is counted through the group only: a walk
    /// taken between the host's fork and the leader's setsid() sees it in the host's own group with the host's pages
    /// (a forked copy of the host), which would count the host as the function's and kill it for memory it never had.
    /// </summary>
    public static long ResidentBytes(int groupId, IReadOnlyList<int> contained, TimeSpan maxAge)
    {
        lock (Gate)
        {
            if (_takenAt == 0 || Stopwatch.GetElapsedTime(_takenAt) > maxAge)
            {
                _snapshot = Walk();
                _takenAt = Stopwatch.GetTimestamp();
            }

            long bytes = _snapshot.BytesByGroup.GetValueOrDefault(groupId);
            foreach (int pid in contained)
            {
                if (pid != groupId && _snapshot.ByProcess.TryGetValue(pid, out (int Group, long Bytes) process) && process.Group != groupId)
                {
                    bytes += process.Bytes;
                }
            }

            return bytes;
        }
    }

    private static Snapshot Walk()
    {
        Dictionary<int, long> bytesByGroup = [];
        Dictionary<int, (int Group, long Bytes)> byProcess = [];
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            ReadOnlySpan<char> name = Path.GetFileName(directory.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }

            try
            {
                if (Parse(File.ReadAllText(directory + "/stat"), out int group, out long pages)
                    && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    bytesByGroup[group] = bytesByGroup.GetValueOrDefault(group) + pages * PageSize;
                    byProcess[pid] = (group, pages * PageSize);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited between the listing and the read.
            }
        }

        return new Snapshot(bytesByGroup, byProcess);
    }

    // "pid (comm) state ppid pgrp ... rss ...": pgrp is field 5 and rss (pages) field 24. The command may hold spaces
    // and parentheses, so fields are counted from the last ')'; the field after it is state, field 3.
    private static bool Parse(string stat, out int group, out long pages)
    {
        group = -1;
        pages = 0;
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return false;
        }

        ReadOnlySpan<char> rest = stat.AsSpan(close + 2);
        for (int field = 3; field <= 24; field++)
        {
            int end = rest.IndexOf(' ');
            ReadOnlySpan<char> value = end < 0 ? rest : rest[..end];
            if (field == 5 && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out group))
            {
                return false;
            }

            if (field == 24)
            {
                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out pages);
            }

            if (end < 0)
            {
                return false;
            }

            rest = rest[(end + 1)..];
        }

        return false;
    }

    private sealed record Snapshot(Dictionary<int, long> BytesByGroup, Dictionary<int, (int Group, long Bytes)> ByProcess);
}
