using System.Diagnostics;
using System.Text;

namespace Handshake.Runtime.Tests.Fakes;

/// <summary>
/// A function started as a real child process, as the host starts an execution environment. Disposing kills it (and
/// its children) and waits for the exit, so no test leaves a process behind.
/// </summary>
public sealed class FunctionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private FunctionProcess(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Each thread's name, state and kernel wait channel (from /proc), for a failure message: whether a hung function
    /// is stopped (T), blocked in a socket read, in epoll or on a futex, and on which thread.
    /// </summary>
    public string Threads()
    {
        var lines = new System.Text.StringBuilder();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{_process.Id}/task"))
            {
                string Read(string file)
                {
                    try
                    {
                        return File.ReadAllText(Path.Combine(task, file)).Trim();
                    }
                    catch (IOException)
                    {
                        return "?";
                    }
                }

                var stat = Read("stat");
                var state = stat.LastIndexOf(')') is var close and > 0 && close + 2 < stat.Length ? stat[close + 2].ToString() : "?";
                lines.Append($"  {Path.GetFileName(task)} {Read("comm")} state {state} wchan {Read("wchan")} syscall {Read("syscall").Split(' ')[0]}\n");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines.Append($"  (no threads: {e.Message})\n");
        }

        return lines.ToString();
    }

    /// <summary>Everything the function wrote to stdout and stderr so far, for assertions and failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static FunctionProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var function = new FunctionProcess(process);
        process.OutputDataReceived += (_, e) => function.Append(e.Data);
        process.ErrorDataReceived += (_, e) => function.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return function;
    }

    /// <summary>Waits for the function to exit by itself (e.g. after an init error) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
