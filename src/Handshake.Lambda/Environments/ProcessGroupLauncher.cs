using System.Diagnostics;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Starts processes through util-linux `setsid`, which (the child not being a group leader) calls setsid() and execs the
/// command: the process id is also its process group id, so freezing and killing reach every process the function starts.
/// Each group is registered with the <see cref="OrphanGuard"/>, which kills it if the host dies.
/// With a <see cref="HostCgroup"/>, each process is also started in a cgroup of its own, which keeps what leaves the
/// group (see <see cref="EnvironmentCgroup"/>).
/// </summary>
public sealed partial class ProcessGroupLauncher(OrphanGuard guard) : IProcessLauncher
{
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "TMPDIR", "DOTNET_ROOT", "DOTNET_CLI_HOME", "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR"];

    // $0 is the cgroup's join file (EnvironmentCgroup.JoinFile). The shell moves itself into the cgroup (0: the writer)
    // and execs setsid, which execs the runtime: one process throughout, a member before the runtime's first
    // instruction, so nothing it forks is ever outside. Writing the pid from the host after the start instead would race
    // the runtime's first forks. Costs one exec of /bin/sh per start (about 1 ms here).
    private const string JoinCgroup =
        "echo 0 > \"$0\" || { echo \"handshake: could not join the environment's cgroup ($0)\" >&2; exit 1; }; exec setsid \"$@\"";

    private readonly HostCgroup? _cgroups;

    /// <summary>
    /// With a cgroup: how long the processes that left the group may go on after a SIGTERM (a shutdown) once the runtime
    /// has exited, before they are killed with the rest of the cgroup. The host passes its own ShutdownGracePeriod.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromMilliseconds(300);

    internal ProcessGroupLauncher(OrphanGuard guard, HostCgroup? cgroups)
        : this(guard)
    {
        _cgroups = cgroups;
    }

    public IChildProcess Start(ProcessLaunchSpec spec)
    {
        EnvironmentCgroup? cgroup = _cgroups?.CreateEnvironment();
        ProcessStartInfo info = new(cgroup is null ? "setsid" : "/bin/sh")
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cgroup is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(JoinCgroup);
            info.ArgumentList.Add(cgroup.JoinFile);
        }

        info.ArgumentList.Add(spec.FileName);
        foreach (string argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Lambda gives functions a fixed environment, not the host's: keep only what locates tools and libraries.
        Dictionary<string, string?> inherited = [];
        foreach (string name in InheritedVariables)
        {
            if (info.Environment.TryGetValue(name, out string? value))
            {
                inherited[name] = value;
            }
        }

        info.Environment.Clear();
        foreach ((string name, string? value) in inherited)
        {
            info.Environment[name] = value;
        }

        foreach ((string name, string value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {spec.FileName}");
        }
        catch
        {
            if (cgroup is not null)
            {
                EnvironmentCgroup.TryRemove(cgroup.Path);
            }

            throw;
        }

        guard.Register(process.Id);
        ChildStopNotifications.Disable();
        // Functions do not read stdin; EOF at once rather than a pipe that never ends.
        process.StandardInput.Close();
        return new GroupProcess(process, guard, cgroup, ShutdownGracePeriod);
    }

    private sealed partial class GroupProcess : IChildProcess
    {
        private const int FIONREAD = 0x541B;
        private readonly Process _process;
        private readonly OrphanGuard _guard;
        private readonly Task<string> _exited;
        private readonly EnvironmentCgroup? _cgroup;
        private readonly TimeSpan _shutdownGracePeriod;

        private readonly PipeStream _stdout;
        private readonly PipeStream _stderr;

        // When the first SIGTERM was sent (Stopwatch ticks; 0: none): the grace period of what left the group runs from it.
        private long _terminatedAt;

        public GroupProcess(Process process, OrphanGuard guard, EnvironmentCgroup? cgroup, TimeSpan shutdownGracePeriod)
        {
            _process = process;
            _guard = guard;
            _cgroup = cgroup;
            _shutdownGracePeriod = shutdownGracePeriod;
            ProcessId = process.Id;
            // Kept here: Process refuses access to its streams once disposed, and log draining may come after that.
            _stdout = (PipeStream)process.StandardOutput.BaseStream;
            _stderr = (PipeStream)process.StandardError.BaseStream;
            _exited = WaitAsync();
        }

        public int ProcessId { get; }

        public SafeHandle StandardOutput => _stdout.SafePipeHandle;

        public SafeHandle StandardError => _stderr.SafePipeHandle;

        public Task<string> Exited => _exited;

        public void SignalGroup(ProcessSignal signal)
        {
            if (_exited.IsCompleted)
            {
                return;
            }

            // A shutdown's SIGTERM reaches what left the group too, and first: the runtime may die of the group's SIGTERM
            // at once, and WaitAsync must by then know that the grace period has begun, or it kills what left at once.
            if (signal == ProcessSignal.Term && _cgroup is not null)
            {
                _ = Interlocked.CompareExchange(ref _terminatedAt, Stopwatch.GetTimestamp(), 0);
                _cgroup.TerminateEscaped(ProcessId);
            }

            // Until setsid() has run in the child the group does not exist yet; then signal the process itself.
            if (kill(-ProcessId, (int)signal) != 0)
            {
                _ = kill(ProcessId, (int)signal);
            }

            // A freeze stops what left the group too; a thaw continues it (nothing to do unless something had left).
            if (signal == ProcessSignal.Stop)
            {
                _cgroup?.StopEscaped(ProcessId);
            }
            else if (signal == ProcessSignal.Cont)
            {
                _cgroup?.ContinueEscaped();
            }
        }

        public int PendingOutputBytes() => Pending(_stdout) + Pending(_stderr);

        public IReadOnlyList<int> ContainedProcesses() => _cgroup?.Processes() ?? [];

        public async ValueTask DisposeAsync()
        {
            SignalGroup(ProcessSignal.Kill);
            await _exited.ConfigureAwait(false);
            _process.Dispose();
        }

        private static int Pending(PipeStream pipe)
        {
            SafePipeHandle handle;
            try
            {
                handle = pipe.SafePipeHandle;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }

            bool added = false;
            try
            {
                // Held while asking, so that the descriptor cannot be closed (and reused) in between.
                handle.DangerousAddRef(ref added);
                int count = 0;
                return ioctl((int)handle.DangerousGetHandle(), FIONREAD, ref count) == 0 ? count : 0;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        private async Task<string> WaitAsync()
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            // The leader is gone; make sure nothing it started outlives it, then forget the group.
            _ = kill(-ProcessId, (int)ProcessSignal.Kill);
            if (_cgroup is not null)
            {
                // After a SIGTERM, what left the group keeps the rest of the grace period even when the runtime exits
                // first (as a runtime that exits at once on SIGTERM does): checked every 10 ms, bounded by the period.
                long terminatedAt = Interlocked.Read(ref _terminatedAt);
                while (terminatedAt != 0 && Stopwatch.GetElapsedTime(terminatedAt) < _shutdownGracePeriod && _cgroup.HasLiveProcesses())
                {
                    await Task.Delay(10).ConfigureAwait(false);
                }

                // And nothing that left the group: the environment ends when its process does, on every path.
                await _cgroup.KillAllAsync().ConfigureAwait(false);
            }

            _guard.Unregister(ProcessId);
            int code = _process.ExitCode;
            // .NET reports death by signal N as 128 + N.
            return code > 128 && code < 128 + 32 ? $"signal: {SignalName(code - 128)}" : $"exit status {code}";
        }

        private static string SignalName(int signal) => signal switch
        {
            9 => "killed",
            15 => "terminated",
            6 => "aborted",
            11 => "segmentation fault",
            2 => "interrupt",
            _ => $"signal {signal}",
        };

        [LibraryImport("libc", SetLastError = true)]
        private static partial int kill(int pid, int signal);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int ioctl(int fd, int request, ref int count);
    }
}
