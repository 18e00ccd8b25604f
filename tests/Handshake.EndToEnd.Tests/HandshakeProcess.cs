using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// The real <c>handshake</c> executable (built beside the tests) as a child process, with its output captured line by
/// line. Disposing kills it and its children if it is still running, so no test leaves a process behind.
/// </summary>
internal sealed partial class HandshakeProcess : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private HandshakeProcess(Process process)
    {
        _process = process;
        _stderrPump = PumpStandardErrorAsync();
    }

    public int Id => _process.Id;

    public static HandshakeProcess Start(string workingDirectory, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ProcessStartInfo start = new(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "handshake.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The child must not pick up a shell's endpoint: tests say where to connect.
        start.Environment.Remove("AWS_ENDPOINT_URL");
        return new HandshakeProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start handshake"));
    }

    /// <summary>Reads standard output until a line contains <paramref name="marker"/>; returns every line read.</summary>
    public async Task<List<string>> ReadUntilAsync(string marker)
    {
        List<string> lines = [];
        while (true)
        {
            string? line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            if (line is null)
            {
                throw new InvalidOperationException($"handshake exited before printing '{marker}'. stdout: {string.Join('\n', lines)} stderr: {await StandardErrorAsync()}");
            }

            lines.Add(line);
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    public async Task<string> ReadToEndAsync() => await _process.StandardOutput.ReadToEndAsync().WaitAsync(Timeout);

    public async Task<string> StandardErrorAsync()
    {
        await _stderrPump.WaitAsync(Timeout);
        return _stderr.ToString();
    }

    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
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

    private async Task PumpStandardErrorAsync()
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await _process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
