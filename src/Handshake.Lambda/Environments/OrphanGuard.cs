using System.Diagnostics;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Makes sure no environment outlives the host, even when the host is killed with SIGKILL. A tiny shell process, in its
/// own session, reads "+pgid" and "-pgid" lines on a pipe from the host; when the pipe reaches EOF (the host exited,
/// however) it kills every group still registered. PR_SET_PDEATHSIG cannot do this: it fires when the parent *thread*
/// exits, and .NET starts children from pool threads. A process registered before its `setsid` ran has no group yet
/// (and may have been stopped there), so when the group does not exist the guard kills the process itself.
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
        """;

    private readonly Lock _gate = new();
    private readonly HashSet<int> _groups = [];
    private Process? _guard;
    private bool _disposed;

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

    private static Process StartGuard()
    {
        ProcessStartInfo info = new("setsid")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the orphan guard");
    }
}
