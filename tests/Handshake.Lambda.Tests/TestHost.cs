using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A FunctionHost for one test, with bash custom-runtime functions. Every process it starts carries a marker in its
/// environment; disposing asserts that no process with the marker is left.
/// </summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly List<string> _holdFiles = [];

    private TestHost(FunctionHostOptions options, Environments.IProcessLauncher? launcher, string? marker)
    {
        Marker = marker ?? Guid.NewGuid().ToString("N");
        Host = new FunctionHost(options, loggerFactory: null, launcher);
    }

    public FunctionHost Host { get; }

    public string Marker { get; }

    /// <param name="marker">A host restarted on the same data directory takes the first one's: its saved functions carry it.</param>
    public static TestHost Start(FunctionHostOptions? options = null, Environments.IProcessLauncher? launcher = null, string? marker = null) =>
        new(options ?? new FunctionHostOptions(), launcher, marker);

    public static string FunctionDirectory(string name)
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "functions", name);
        string bootstrap = Path.Combine(directory, "bootstrap");
        // MSBuild's copy may drop the executable bit.
        File.SetUnixFileMode(bootstrap, File.GetUnixFileMode(bootstrap) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return directory;
    }

    public FunctionDefinition AddBash(string name, double timeout = 10, int? reserved = null, Dictionary<string, string>? environment = null, int memorySize = 128,
        FunctionLogging? logging = null)
    {
        Dictionary<string, string> variables = new(environment ?? []) { ["HANDSHAKE_TEST_MARKER"] = Marker };
        return Host.CreateFunction(new FunctionDefinition
        {
            Name = name,
            Runtime = "provided.al2023",
            Handler = "function.handler",
            CodeDirectory = FunctionDirectory("bash-runtime"),
            Timeout = timeout,
            MemorySize = memorySize,
            ReservedConcurrency = reserved,
            Environment = variables,
            Logging = logging ?? FunctionLogging.Default,
        });
    }

    /// <summary>
    /// An event that keeps a bash function busy until <see cref="Release"/> creates <paramref name="file"/> (a new temp
    /// path, deleted when the host is disposed). A test that needs an invocation in flight holds it this way rather than
    /// with a fixed sleep ("nap"), which a loaded machine can spend before the test has done what must happen meanwhile.
    /// </summary>
    public string HoldEvent(out string file)
    {
        file = Path.Combine(Path.GetTempPath(), "handshake-hold-" + Guid.NewGuid().ToString("N"));
        _holdFiles.Add(file);
        return JsonSerializer.Serialize(new { hold = file });
    }

    /// <summary>Ends the hold of <see cref="HoldEvent"/>: the function answers.</summary>
    public static void Release(string file) => File.WriteAllText(file, "");

    public Task<InvocationResult> InvokeAsync(string function, string payload, bool tail = false) =>
        Host.InvokeAsync(function, new Invocation(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes(payload)) { TailLog = tail }).WaitAsync(Wait);

    /// <summary>After a fault: another function (created on first use) is still served, by a new process.</summary>
    public async Task AssertServesAnotherFunctionAsync()
    {
        if (!Host.TryGetFunction("bystander", out _))
        {
            AddBash("bystander");
        }

        InvocationResult result = await InvokeAsync("bystander", "{}");
        Assert.Null(result.FunctionError);
        Assert.Equal("{}", Text(result));
    }

    public static string Text(InvocationResult result) => Encoding.UTF8.GetString(result.Payload.Span);

    public static JsonElement Json(InvocationResult result) => JsonDocument.Parse(result.Payload).RootElement.Clone();

    /// <summary>The function's log messages, once the END/REPORT lines of every answered invocation are in.</summary>
    public async Task<List<string>> LogMessagesAsync(string function)
    {
        await Host.LogsSettledAsync(function).WaitAsync(Wait);
        return Host.Logs.For(function).Read(0, int.MaxValue).ConvertAll(e => e.Message);
    }

    /// <summary>Waits until the function's log has <paramref name="count"/> messages matching <paramref name="match"/>.</summary>
    public async Task WaitForLogAsync(string function, Func<string, bool> match, int count = 1)
    {
        Logs.FunctionLog log = Host.Logs.For(function);
        using CancellationTokenSource timeout = new(Wait);
        long from = 0;
        int seen = 0;
        while (true)
        {
            foreach (Logs.LogEvent e in log.Read(from, int.MaxValue))
            {
                from = e.Sequence + 1;
                if (match(e.Message) && ++seen >= count)
                {
                    return;
                }
            }

            await log.WaitAsync(from, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.DisposeAsync().AsTask().WaitAsync(Wait);
        }
        finally
        {
            foreach (string file in _holdFiles)
            {
                File.Delete(file);
            }
        }

        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(Marker));
    }
}

/// <summary>Processes by what /proc says about them.</summary>
internal static class ProcessTable
{
    /// <summary>
    /// The processes with the marker that are still alive after a bounded wait: a process killed with SIGKILL takes a
    /// moment to become a zombie, and nothing notifies that for processes that are not our children. The bound is the
    /// tests' deadline (<see cref="TestHost.Wait"/>), not 200 polls (about 2 s, which a loaded machine can use up): the
    /// wait ends as soon as none is left, so only a failing test waits it out.
    /// </summary>
    public static async Task<List<int>> RemainingWithMarkerAsync(string marker)
    {
        DateTime giveUp = DateTime.UtcNow + TestHost.Wait;
        List<int> found = WithMarker(marker);
        while (found.Count > 0 && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(10);
            found = WithMarker(marker);
        }

        return found;
    }

    /// <summary>Live (not zombie) processes whose environment contains the marker.</summary>
    public static List<int> WithMarker(string marker)
    {
        List<int> found = [];
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid))
            {
                continue;
            }

            try
            {
                string environment = File.ReadAllText(Path.Combine(directory, "environ"));
                if (environment.Contains(marker, StringComparison.Ordinal) && State(pid) != 'Z')
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

    /// <summary>
    /// Waits (bounded) until the process shows a state. A signal is delivered asynchronously after kill() returns, and
    /// the kernel has no notification for /proc state changes, so this reads it again after short delays.
    /// </summary>
    public static Task<char> WaitForStateAsync(int pid, char state) => WaitForStateAsync(pid, seen => seen == state);

    /// <summary>
    /// Waits until the process's state satisfies <paramref name="done"/>, bounded by the tests' deadline
    /// (<see cref="TestHost.Wait"/>) rather than 400 polls (about 2 s, which a loaded machine can use up); returns the
    /// last state seen, which the caller asserts. A passing test waits only until the state shows.
    /// </summary>
    public static async Task<char> WaitForStateAsync(int pid, Func<char, bool> done)
    {
        DateTime giveUp = DateTime.UtcNow + TestHost.Wait;
        char seen = State(pid);
        while (!done(seen) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(5);
            seen = State(pid);
        }

        return seen;
    }

    /// <summary>The state letter of /proc/PID/stat (R, S, T for stopped, Z...), or '?' when the process is gone.</summary>
    public static char State(int pid) => StateIn($"/proc/{pid}/stat");

    /// <summary>The state in a stat file: a process's, or one thread's (<c>/proc/PID/task/TID/stat</c>).</summary>
    public static char StateIn(string statFile)
    {
        try
        {
            string stat = File.ReadAllText(statFile);
            // The command may contain spaces and parentheses: the state follows the last ')'.
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return '?';
        }
    }
}
