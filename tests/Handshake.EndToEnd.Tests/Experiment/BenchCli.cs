using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>The real <c>handshake</c> executable run to completion, with its environment under the test's control.</summary>
internal sealed partial class BenchCli : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int SigInt = 2;
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _marker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _markerText;

    private BenchCli(Process process, string? marker)
    {
        _process = process;
        _markerText = marker;
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

            if (_markerText is not null && e.Data.Contains(_markerText, StringComparison.Ordinal))
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

    public static BenchCli Start(IReadOnlyDictionary<string, string>? environment, string? marker, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ProcessStartInfo start = new(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "handshake.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
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
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        using BenchCli cli = Start(environment, null, arguments);
        int exit = await cli.WaitForExitAsync();
        return (exit, cli.StandardOutput, cli.StandardError);
    }

    public Task MarkerSeen => _marker.Task.WaitAsync(Timeout);

    public void Interrupt()
    {
        if (Kill(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
