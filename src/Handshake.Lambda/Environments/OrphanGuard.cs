using System.Diagnostics;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Makes sure no environment outlives the host, even when the host is killed with SIGKILL. A tiny shell process, in its
/// own session, reads "+pgid" and "-pgid" lines on a pipe from the host; when the pipe reaches EOF (the host exited,
/// however) it kills every group still registered. PR_SET_PDEATHSIG cannot do this: it fires when the parent *thread*
/// exits, and .NET starts children from pool threads. A process registered before its `setsid` ran has no group yet
/// (and may have been stopped there), so when the group does not exist the guard kills the process itself.
/// With the host's cgroup (its first argument, see <see cref="HostCgroup"/>), it then kills every process left in each
/// environment's cgroup, those that left their group included, again until none is left, and removes the cgroups
/// (retrying for up to about 10 s: init reaps a killed process that left its group, 1-2 s later here, and its zombie
/// keeps the cgroup until then).
/// </summary>
public sealed class OrphanGuard : IDisposable
{
    private const string Script = """
        trap '' INT TERM HUP
        groups=""
        while IFS= read -r line; do
          case "$line" in
            +*) groups="$groups ${line#+}" ;;
            -*) kept=""; for g in $groups; do [ "$g" = "${line#-}" ] || kept="$kept $g"; done; groups="$kept" ;;
          esac
        done
        for g in $groups; do kill -s CONT -- "-$g" 2>/dev/null; kill -s KILL -- "-$g" 2>/dev/null || kill -s KILL "$g" 2>/dev/null; done
        [ -n "$1" ] || exit 0
        try=0; while [ $try -lt 100 ]; do try=$((try + 1))
          for d in "$1"/*/; do
            [ -d "$d" ] || continue
            [ -e "$d/cgroup.kill" ] && { echo 1 > "$d/cgroup.kill"; } 2>/dev/null
            for p in $(cat "$d/cgroup.procs" 2>/dev/null); do [ "$p" = "$2" ] && continue; kill -s CONT "$p" 2>/dev/null; kill -s KILL "$p" 2>/dev/null; done
            rmdir "$d" 2>/dev/null
          done
          rmdir "$1" 2>/dev/null && exit 0
          [ -d "$1" ] || exit 0
          sleep 0.1
        done
        """;

    private readonly Lock _gate = new();
    private readonly HashSet<int> _groups = [];
    private readonly string? _cgroup;
    private Process? _guard;
    private bool _disposed;

    public OrphanGuard()
    {
    }

    /// <param name="cgroup">The host's cgroup: what is left in its environments' cgroups is killed too.</param>
    internal OrphanGuard(HostCgroup? cgroup) => _cgroup = cgroup?.Path;

    /// <summary>The guard's process id, once started (for tests).</summary>
    internal int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _guard?.Id;
            }
        }
    }

    public void Register(int processGroupId)
    {
        lock (_gate)
        {
            _groups.Add(processGroupId);
            Send($"+{processGroupId}");
        }
    }

    public void Unregister(int processGroupId)
    {
        lock (_gate)
        {
            if (_groups.Remove(processGroupId))
            {
                Send($"-{processGroupId}");
            }
        }
    }

    /// <summary>Closes the pipe: the guard kills what is still registered and exits.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_guard is not null)
            {
                _guard.StandardInput.Close();
                // The guard exits right after EOF; wait briefly so that tests see no process left behind.
                _guard.WaitForExit(TimeSpan.FromSeconds(5));
                _guard.Dispose();
            }
        }
    }

    // Under _gate.
    private void Send(string line)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _guard ??= StartGuard();
            _guard.StandardInput.WriteLine(line);
            _guard.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The guard itself was killed: start another and hand it every group still registered.
            _guard?.Dispose();
            _guard = StartGuard();
            foreach (int group in _groups)
            {
                _guard.StandardInput.WriteLine($"+{group}");
            }

            _guard.StandardInput.Flush();
        }
    }

    private Process StartGuard()
    {
        ProcessStartInfo info = new("setsid")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("orphan-guard");
        info.ArgumentList.Add(_cgroup ?? "");
        // The host's pid, which the guard never kills, should the host (a thread of it) ever be listed in a cgroup.
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the orphan guard");
    }
}
