using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The host's cgroup, which holds one cgroup per execution environment. A process that leaves its environment's process
/// group (`setsid`, a daemon's double fork) stays in its cgroup: children inherit it, and only root can move a process
/// out. So the cgroup reaches what the process group misses, as Lambda's sandbox does. Only membership is used (cgroup.procs,
/// v1's tasks and pids.current, v2's cgroup.kill): no controller is configured, nothing is limited.
/// Nested under the host's own cgroup (from /proc/self/cgroup) as `handshake-PID-N`, one per <see cref="FunctionHost"/>.
/// v1's pids hierarchy is preferred where it is mounted, then the v2 (unified) one; without a writable one there is no
/// HostCgroup, and environments are process groups only. v1 because joining is cheap there: a single-threaded process
/// that moves itself (0 written to `tasks`) skips the kernel's global lock that moving a whole process takes (an RCU
/// grace period: writing to v2's cgroup.procs added 1-2 ms to each start here, v1's `tasks` nothing measurable).
/// The launcher's shell moves itself in, never a host thread: a thread the host started while one of its threads was in
/// an environment's cgroup would stay there (tried: it left the cgroup unremovable, and the orphan guard killed the host).
/// </summary>
internal sealed class HostCgroup : IDisposable
{
    private const string Prefix = "handshake-";
    private static int s_hosts;
    private int _environments;

    private HostCgroup(string path, string version)
    {
        Path = path;
        Version = version;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The host's cgroup directory.</summary>
    public string Path { get; }

    /// <summary>"v1 pids" or "v2".</summary>
    public string Version { get; }

    /// <summary>
    /// Creates the host's cgroup in the first hierarchy where that works, after removing the empty cgroups of hosts that
    /// died (SIGKILL leaves them; their orphan guard normally removes them). Null when none is writable (not root, no
    /// cgroupfs, read-only).
    /// </summary>
    /// <param name="useHierarchy">For tests: which of "v1 pids" and "v2" may be used.</param>
    public static HostCgroup? TryCreate(Func<string, bool>? useHierarchy = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach ((string parent, string version) in Hierarchies())
        {
            // A parent that is not there (a container that sees its cgroup's path but not the cgroup) is not created.
            if ((useHierarchy is not null && !useHierarchy(version)) || !Directory.Exists(parent))
            {
                continue;
            }

            RemoveStale(parent);
            string path = System.IO.Path.Combine(parent, $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref s_hosts)}");
            try
            {
                Directory.CreateDirectory(path);
                if (File.Exists(System.IO.Path.Combine(path, "cgroup.procs")))
                {
                    return new HostCgroup(path, version);
                }

                Directory.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    /// <summary>A new, empty cgroup for one environment's process; null if it cannot be made (it then runs uncontained).</summary>
    public EnvironmentCgroup? CreateEnvironment()
    {
        string path = System.IO.Path.Combine(Path, "env-" + Interlocked.Increment(ref _environments).ToString(CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(path);
            return new EnvironmentCgroup(path, Version == "v2");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the host's cgroup once its environments' cgroups are gone (each removes its own).</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        EnvironmentCgroup.TryRemove(Path);
    }

    // A host never disposed (its process exits without stopping it) still removes its cgroup when that is empty; one
    // with environments left is removed by its orphan guard, once the guard has killed them.
    private void OnProcessExit(object? sender, EventArgs e) => EnvironmentCgroup.TryRemove(Path);

    // The host's own cgroup in each hierarchy: the mount point joined with the path /proc/self/cgroup names.
    private static IEnumerable<(string Parent, string Version)> Hierarchies()
    {
        string[] mounts, memberships;
        try
        {
            mounts = File.ReadAllLines("/proc/self/mounts");
            memberships = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        // "DEVICE MOUNTPOINT TYPE OPTIONS 0 0" and "ID:CONTROLLERS:PATH".
        string? v1 = null, v2 = null;
        foreach (string mount in mounts)
        {
            string[] fields = mount.Split(' ');
            if (fields.Length >= 4 && fields[2] == "cgroup" && fields[3].Split(',').Contains("pids"))
            {
                v1 ??= fields[1];
            }
            else if (fields.Length >= 4 && fields[2] == "cgroup2")
            {
                v2 ??= fields[1];
            }
        }

        foreach (string membership in memberships)
        {
            string[] fields = membership.Split(':', 3);
            if (fields.Length == 3 && v1 is not null && fields[1].Split(',').Contains("pids"))
            {
                yield return (v1 + fields[2].TrimEnd('/'), "v1 pids");
            }
        }

        foreach (string membership in memberships)
        {
            string[] fields = membership.Split(':', 3);
            if (fields.Length == 3 && v2 is not null && fields[0] == "0" && fields[1].Length == 0)
            {
                yield return (v2 + fields[2].TrimEnd('/'), "v2");
            }
        }
    }

    // handshake-PID-N of a PID that no longer runs: its environments' empty cgroups and then itself. One that still
    // holds processes is left (rmdir refuses it): its host's orphan guard, if it lives, is about to kill them.
    private static void RemoveStale(string parent)
    {
        try
        {
            foreach (string directory in Directory.EnumerateDirectories(parent, Prefix + "*"))
            {
                string[] parts = System.IO.Path.GetFileName(directory)[Prefix.Length..].Split('-');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || Directory.Exists($"/proc/{pid}"))
                {
                    continue;
                }

                foreach (string environment in Directory.EnumerateDirectories(directory))
                {
                    EnvironmentCgroup.TryRemove(environment);
                }

                EnvironmentCgroup.TryRemove(directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// One execution environment's cgroup. The launcher puts the environment's first process in it before that process runs
/// the runtime (<see cref="ProcessGroupLauncher"/>), so every process the function ever starts is a member.
/// Freezing: after the group's SIGSTOP, the members outside the group are stopped too and continued at the thaw. The
/// check costs 2-3 µs per freeze (measured here): a read through a descriptor held open (opening a cgroup file costs
/// 20-35 µs), and no /proc read unless the cgroup has a member besides the runtime.
/// Killing: once the environment's process has exited, every member left is killed and the cgroup removed.
/// </summary>
internal sealed partial class EnvironmentCgroup(string path, bool unified)
{
    private const int SIGKILL = 9;
    private const int SIGTERM = 15;
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    private readonly Lock _gate = new();
    private readonly List<int> _members = [];
    private byte[] _buffer = new byte[512];
    private int[] _stopped = [];

    // Held open for the freeze's check: v2's cgroup.procs (a read from offset 0 lists the members anew), or v1's
    // pids.current (v1's cgroup.procs keeps a pid list cached per open file, so it must be opened for each read).
    private SafeFileHandle? _watched;
    private long _lastTasks = -1;

    // Something had escaped at the last check (v1): the next freeze reads the list again (those pids may have exited).
    private bool _escapedAtLastCheck;

    /// <summary>The cgroup's directory.</summary>
    public string Path { get; } = path;

    /// <summary>The cgroup's members (processes).</summary>
    public string ProcessesFile => Path + "/cgroup.procs";

    /// <summary>
    /// The file a process writes 0 to, to join: v1's `tasks` (moves the writing thread only: for a single-threaded
    /// process, cheap and the whole process), v2's cgroup.procs.
    /// </summary>
    public string JoinFile => unified ? ProcessesFile : Path + "/tasks";

    /// <summary>
    /// At a freeze, after the group's SIGSTOP: stops the members outside the group (whose process group, /proc/PID/stat
    /// field 5, is not the environment's). cgroup.procs lists processes, not threads: a runtime that forks nothing is
    /// the only member, and no /proc/PID/stat is read. Under v1 the full list is read only when the cgroup's task count
    /// (pids.current) changed since the last freeze, or something had escaped by then: a child forked before one freeze
    /// that leaves its group before the next, with the count unchanged in between, is stopped from the first freeze at
    /// which the count has changed.
    /// </summary>
    public void StopEscaped(int groupId)
    {
        lock (_gate)
        {
            if (unified)
            {
                ReadMembers(_watched ??= Open(ProcessesFile));
            }
            else
            {
                long tasks = ReadTasks();
                if (tasks == _lastTasks && tasks >= 0 && !_escapedAtLastCheck)
                {
                    return;
                }

                _lastTasks = tasks;
                using SafeFileHandle? procs = Open(ProcessesFile);
                ReadMembers(procs);
            }

            List<int>? escaped = null;
            foreach (int pid in _members)
            {
                if (pid != groupId && Stat(pid) is { Group: var group } && group != groupId)
                {
                    _ = kill(pid, SIGSTOP);
                    (escaped ??= []).Add(pid);
                }
            }

            _stopped = escaped is null ? [] : [.. escaped];
            _escapedAtLastCheck = escaped is not null;
        }
    }

    /// <summary>
    /// At a thaw, with the group's SIGCONT: continues what <see cref="StopEscaped"/> stopped. Nothing escaped (the
    /// common case): one read of an array's length, no system call. A stopped process keeps its pid until it is killed
    /// and reaped, so the pids stopped at the freeze name the same processes here.
    /// </summary>
    public void ContinueEscaped()
    {
        if (Volatile.Read(ref _stopped).Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (int pid in _stopped)
            {
                _ = kill(pid, SIGCONT);
            }

            _stopped = [];
        }
    }

    /// <summary>
    /// The cgroup's processes now: the runtime, its group and every process that left the group (never the host). Read
    /// anew each time (v2 through the held descriptor, from offset 0; v1 caches the list per open file, so it is opened).
    /// </summary>
    public int[] Processes()
    {
        lock (_gate)
        {
            if (unified)
            {
                ReadMembers(_watched ??= Open(ProcessesFile));
            }
            else
            {
                using SafeFileHandle? procs = Open(ProcessesFile);
                ReadMembers(procs);
            }

            return [.. _members];
        }
    }

    /// <summary>
    /// At a shutdown, with the group's SIGTERM: SIGTERM to every member outside the group, so that a process that left it
    /// is told too, and has the same grace period before the SIGKILL. One stopped by the freeze handles it once the
    /// shutdown's SIGCONT continues it (<see cref="ContinueEscaped"/>).
    /// </summary>
    public void TerminateEscaped(int groupId)
    {
        foreach (int pid in Processes())
        {
            if (pid != groupId && Stat(pid) is { Group: var group } && group != groupId)
            {
                _ = kill(pid, SIGTERM);
            }
        }
    }

    /// <summary>
    /// True while a member is alive. A member that has exited stays listed as a zombie until it is reaped (by init for one
    /// that left the group, which here can take a second or two), and does not count.
    /// </summary>
    public bool HasLiveProcesses()
    {
        foreach (int pid in Processes())
        {
            if (Stat(pid) is { State: not ('Z' or 'X') })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Once the environment's process has exited and its group was killed: kills every member left (SIGCONT first, so
    /// that nothing stays stopped), again until none is left (a member may fork while it is being killed), then removes
    /// the cgroup. Bounded (about 10 s: a killed process that left the group is reaped by init, which here takes 1-2 s, and
    /// its zombie keeps the cgroup from being removed until then); where the kernel has cgroup.kill (v2, Linux 5.14), one write kills them all.
    /// </summary>
    public async Task KillAllAsync()
    {
        lock (_gate)
        {
            _watched?.Dispose();
        }

        if (unified)
        {
            _ = TryWrite(Path + "/cgroup.kill", "1"); // Linux 5.14 and later; older kernels have no such file
        }

        for (int attempt = 0; attempt < 1000; attempt++)
        {
            lock (_gate)
            {
                _stopped = [];
                using SafeFileHandle? procs = Open(ProcessesFile);
                ReadMembers(procs);
                foreach (int pid in _members)
                {
                    _ = kill(pid, SIGCONT);
                    _ = kill(pid, SIGKILL);
                }
            }

            // rmdir succeeds once no process is left (a killed one leaves when it has exited, zombies excepted).
            if (TryRemove(Path))
            {
                return;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>rmdir; false when it is not empty yet (or cannot be removed), true when it is gone.</summary>
    internal static bool TryRemove(string directory)
    {
        try
        {
            Directory.Delete(directory);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static SafeFileHandle? Open(string file)
    {
        try
        {
            return File.OpenHandle(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cgroup is gone.
            return null;
        }
    }

    // Under _gate: the cgroup's members, from cgroup.procs read from its start (none when it cannot be read).
    private void ReadMembers(SafeFileHandle? procs)
    {
        _members.Clear();
        int length = Read(procs);
        int pid = 0;
        foreach (byte c in _buffer.AsSpan(0, length))
        {
            if (c == '\n')
            {
                // Never the host itself, should one of its threads ever be in the cgroup (v1 lists a process when any of
                // its threads is), nor 0: kill(0, ...) signals the caller's own process group.
                if (pid > 0 && pid != Environment.ProcessId)
                {
                    _members.Add(pid);
                }

                pid = 0;
            }
            else
            {
                pid = (pid * 10) + (c - '0');
            }
        }
    }

    // Under _gate: v1's pids.current, the cgroup's task (thread) count; -1 when it cannot be read. One pread, not a read
    // to end of file: the file is one short line, which the kernel's seq_file hands over whole in the first read, and
    // this runs at every freeze.
    private long ReadTasks()
    {
        int length = Read(_watched ??= Open(Path + "/pids.current"), toEnd: false);
        return length > 0 && long.TryParse(_buffer.AsSpan(0, length).Trim((byte)'\n'), NumberStyles.None, CultureInfo.InvariantCulture, out long tasks) ? tasks : -1;
    }

    // Under _gate: the whole file into _buffer, from offset 0, or (toEnd false) what its first read gives; its length.
    private int Read(SafeFileHandle? file, bool toEnd = true)
    {
        if (file is null)
        {
            return 0;
        }

        int length = 0;
        try
        {
            int read;
            while ((read = RandomAccess.Read(file, _buffer.AsSpan(length), length)) > 0)
            {
                length += read;
                if (!toEnd)
                {
                    break;
                }

                if (length == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The cgroup is gone (ENODEV through a held descriptor).
        }

        return length;
    }

    // "pid (comm) state ppid pgrp ...": the command may hold spaces and parentheses, so fields count from the last ')'.
    // The state letter and the process group; null once the process is gone.
    private static (char State, int Group)? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
            return fields.Length >= 3 && fields[0].Length == 1 && int.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int group)
                ? (fields[0][0], group)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            // Exited between the listing and the read.
            return null;
        }
    }

    // True when written. Through a plain open and write: cgroup files take one write(2) of the whole text.
    private static bool TryWrite(string file, string text)
    {
        try
        {
            File.WriteAllText(file, text);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
