using System.Diagnostics;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Starts processes through util-linux `setsid`, which (the child not being a group leader) calls setsid() and execs the
/// command: the process id is also its process group id, so freezing and killing reach every process the function starts.
/// Each group is registered with the <see cref="OrphanGuard"/>, which kills it if the host dies.
/// </summary>
public sealed partial class ProcessGroupLauncher(OrphanGuard guard) : IProcessLauncher
{
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG", "TMPDIR", "DOTNET_ROOT", "DOTNET_CLI_HOME", "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR"];

    public IChildProcess Start(ProcessLaunchSpec spec)
    {
        ProcessStartInfo info = new("setsid")
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {spec.FileName}");
        guard.Register(process.Id);
        ChildStopNotifications.Disable();
        // Functions do not read stdin; EOF at once rather than a pipe that never ends.
        process.StandardInput.Close();
        return new GroupProcess(process, guard);
    }

    private sealed partial class GroupProcess : IChildProcess
    {
        private const int FIONREAD = 0x541B;
        private readonly Process _process;
        private readonly OrphanGuard _guard;
        private readonly Task<string> _exited;

        private readonly PipeStream _stdout;
        private readonly PipeStream _stderr;

        public GroupProcess(Process process, OrphanGuard guard)
        {
            _process = process;
            _guard = guard;
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

            // Until setsid() has run in the child the group does not exist yet; then signal the process itself.
            if (kill(-ProcessId, (int)signal) != 0)
            {
                _ = kill(ProcessId, (int)signal);
            }
        }

        public int PendingOutputBytes() => Pending(_stdout) + Pending(_stderr);

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
