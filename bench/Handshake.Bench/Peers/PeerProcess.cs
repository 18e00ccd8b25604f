using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace Handshake.Bench.Peers;

/// <summary>
/// A server process the bench started (Handshake, dynalite, moto, the bare endpoint). Its stdout lines arrive on a
/// channel; stderr's tail is kept for error messages. Every live peer is registered so that Ctrl-C, SIGTERM or an
/// unhandled exit still kills it (whole process tree); <see cref="DisposeAsync"/> kills and reaps it.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    /// <summary>The load generator's socket setting, which no measured server may inherit.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static readonly ConcurrentDictionary<int, PeerProcess> Live = new();
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> errorTail = new();

    private PeerProcess(string name, Process process, long startedAt)
    {
        Name = name;
        this.process = process;
        StartedAt = startedAt;
    }

    public string Name { get; }

    /// <summary>Stopwatch timestamp taken just before the process was started: time to first answer counts from here.</summary>
    public long StartedAt { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string ErrorTail => string.Join('\n', errorTail);

    static PeerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    /// <summary>
    /// Starts a peer. With <paramref name="stdinLifeline"/> the child's stdin is a pipe that closes when the bench dies,
    /// which the bench's own server children (serve-bare, serve-store) watch to exit even after a kill -9 of the bench.
    /// </summary>
    public static PeerProcess Start(string name, string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, bool stdinLifeline = false)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdinLifeline,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Remove(InlineCompletionsVariable);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        var peer = new PeerProcess(name, process, startedAt);
        Live[process.Id] = peer;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer.lines.Writer.TryComplete();
            }
            else
            {
                peer.lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                peer.errorTail.Enqueue(e.Data);
                while (peer.errorTail.Count > 20)
                {
                    peer.errorTail.TryDequeue(out string? _);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>The next stdout line, or null once stdout is closed.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(timeout);
        try
        {
            return await lines.Reader.WaitToReadAsync(bound.Token) && lines.Reader.TryRead(out var line) ? line : null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} printed nothing within {timeout.TotalSeconds} s; stderr:\n{ErrorTail}");
        }
    }

    /// <summary>Resident set size from /proc, in bytes (0 if the process is gone).</summary>
    public long ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kilobytes = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    return kilobytes * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>
    /// User + system CPU time the process has used, from /proc/PID/stat (in clock ticks of 10 ms): unlike wall-clock
    /// startup time, it does not grow when other work on the machine delays the process.
    /// </summary>
    public TimeSpan CpuTime()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    public static void KillAll()
    {
        foreach (var peer in Live.Values)
        {
            peer.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"warning: {Name} (pid {process.Id}) did not exit within 10 s of SIGKILL");
        }

        Live.TryRemove(process.Id, out _);
        process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
