using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Handshake.Reliability.Tests.Infrastructure;

/// <summary>
/// The real <c>handshake</c> executable as a child process. <see cref="KillHard"/> sends SIGKILL, as a crash or the
/// OOM killer would; disposing kills whatever is left, so no test leaves a process behind.
/// </summary>
internal sealed partial class HandshakeProcess : IDisposable
{
    private const int SigKill = 9;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;

    private HandshakeProcess(Process process)
    {
        _process = process;
        _stderrPump = PumpAsync(process.StandardError, _stderr);
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

        start.Environment.Remove("AWS_ENDPOINT_URL");
        Directory.CreateDirectory(workingDirectory);
        return new HandshakeProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start handshake"));
    }

    /// <summary>Reads the banner up to "Handshake is up on URL" and returns the URL.</summary>
    public async Task<Uri> WaitUntilUpAsync()
    {
        while (true)
        {
            string? line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Default);
            if (line is null)
            {
                throw new InvalidOperationException($"handshake exited before it was up: {await StandardErrorAsync()}");
            }

            Match match = UpLine().Match(line);
            if (match.Success)
            {
                // The rest of the banner is drained in the background so the child never blocks on a full pipe.
                _ = _process.StandardOutput.ReadToEndAsync();
                return new Uri(match.Groups[1].Value + "/");
            }
        }
    }

    public void KillHard()
    {
        if (Kill(_process.Id, SigKill) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGKILL) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        return _process.ExitCode;
    }

    public async Task<string> StandardErrorAsync()
    {
        await _stderrPump.WaitAsync(Timeouts.Default);
        lock (_stderr)
        {
            return _stderr.ToString();
        }
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

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }

    [GeneratedRegex(@"Handshake is up on (http://[^ ]+) ")]
    private static partial Regex UpLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
