using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>The real <c>handshake</c> executable run to completion, with its environment under the test's control.</summary>
internal sealed partial class BenchCli : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _marker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Predicate<string>? _markerMatches;

    private BenchCli(Process process, Predicate<string>? marker)
    {
        _process = process;
        _markerMatches = marker;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            if (_markerMatches is not null && _markerMatches(e.Data))
            {
                _marker.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts handshake as a terminal starts a foreground command: through env(1) with SIGINT at its default
    /// disposition. A shell without job control starts background commands with SIGINT ignored, and an ignored signal
    /// is inherited across fork and exec (dotnet test, the test host, this process): .NET then keeps it ignored, and
    /// the bench would never see the test's SIGINT. env execs, so the process id is the bench's own.
    /// </summary>
    public static BenchCli Start(IReadOnlyDictionary<string, string>? environment, Predicate<string>? marker, params string[] arguments) =>
        StartWrapped([], environment, marker, arguments);

    /// <summary>Starts handshake under a wrapper command (e.g. unshare) that execs the rest of its arguments.</summary>
    public static BenchCli StartWrapped(IReadOnlyList<string> wrapper, IReadOnlyDictionary<string, string>? environment, Predicate<string>? marker, params string[] arguments)
    {
        // An absolute path: env looks the command up on the child's PATH, which a test may empty.
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet" ? self : "dotnet";
        List<string> command = [.. wrapper, "env", "--default-signal=INT", dotnet, Path.Combine(AppContext.BaseDirectory, "handshake.dll"), .. arguments];
        ProcessStartInfo start = new(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string part in command.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        start.Environment.Remove("AWS_ENDPOINT_URL");
        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        return new BenchCli(Process.Start(start) ?? throw new InvalidOperationException("could not start handshake"), marker);
    }

    /// <summary>Runs to the end and returns the exit status.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunWrappedAsync([], environment, arguments);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWrappedAsync(IReadOnlyList<string> wrapper, IReadOnlyDictionary<string, string>? environment,
        params string[] arguments)
    {
        using BenchCli cli = StartWrapped(wrapper, environment, null, arguments);
        int exit = await cli.WaitForExitAsync();
        return (exit, cli.StandardOutput, cli.StandardError);
    }

    public Task MarkerSeen => _marker.Task.WaitAsync(Timeout);

    /// <summary>Ctrl-C: SIGINT to the bench, after checking that it catches SIGINT (else the test could only time out).</summary>
    public void Interrupt() => Signal(SigInt, "SIGINT");

    /// <summary>SIGTERM to the bench (kill(1), a service manager, a CI timeout), after checking that it catches it.</summary>
    public void Terminate() => Signal(SigTerm, "SIGTERM");

    private void Signal(int signal, string name)
    {
        (ulong ignored, ulong caught) = SignalMasks(_process.Id);
        if ((caught & (1UL << (signal - 1))) == 0)
        {
            throw new InvalidOperationException($"handshake does not catch {name} (SigIgn {ignored:x16}, SigCgt {caught:x16}): it could not stop it");
        }

        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        // The asynchronous readers finish after the exit; WaitForExit() without a timeout waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    /// <summary>Processes whose environment names <paramref name="benchProcessId"/> as their bench (function environments).</summary>
    public static List<int> EnvironmentsOf(int benchProcessId)
    {
        string marker = $"HANDSHAKE_BENCH_PID={benchProcessId}\0";
        List<int> found = [];
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid))
            {
                continue;
            }

            try
            {
                string environ = File.ReadAllText(Path.Combine(directory, "environ"));
                if (environ.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private static (ulong Ignored, ulong Caught) SignalMasks(int processId)
    {
        ulong ignored = 0;
        ulong caught = 0;
        foreach (string line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                ignored = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
            {
                caught = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return (ignored, caught);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
