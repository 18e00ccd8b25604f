using System.Globalization;

namespace Handshake.Bench.Reliability;

/// <summary>
/// The long reliability runs (issue 6), with their own small argument parsing (an unknown option or a bad value is
/// refused with the usage and status 2, as System.CommandLine refuses them for `store` and `query`):
///   reliability kill-nine [--cycles 100] [--workers 8] [--handshake PATH]
///   reliability mixed-load [--duration 10m] [--interval 60s] [--workers 14] [--invoke-workers 2] [--handshake PATH]
/// PATH is handshake.dll or the handshake executable (default: src/Handshake/bin/Release/net10.0/handshake.dll).
/// </summary>
public static class ReliabilityCommand
{
    /// <summary>What <c>reliability</c> takes, printed for <c>--help</c> and under any command line it refuses.</summary>
    public const string Usage = "usage: reliability kill-nine [--cycles N] [--workers N] [--handshake PATH] | mixed-load [--duration 10m] [--interval 60s] [--workers N] [--invoke-workers N] [--handshake PATH]";

    /// <summary>
    /// Whether the arguments ask for help (<c>--help</c>, <c>-h</c>, <c>-?</c>) anywhere: then the usage is printed and
    /// nothing runs. Before this, <c>reliability kill-nine --help</c> started the 100-cycle kill -9 run.
    /// </summary>
    public static bool HelpRequested(IEnumerable<string> args) => args.Any(a => a is "--help" or "-h" or "-?");

    public static async Task<int> RunAsync(string[] args)
    {
        if (HelpRequested(args))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        // A mistyped option or a bad value is refused before anything starts: `kill-nine --cycels 3` used to run the
        // 100-cycle default, and `--cycles ten` ended in a FormatException's stack trace.
        if (Parse(args, out ReliabilityRun? run) is { } error)
        {
            Console.Error.WriteLine($"reliability: {error}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string handshake = run!.Handshake ?? DefaultHandshake();
        string directory = Path.Combine(Path.GetTempPath(), "handshake-reliability-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            if (run.Scenario == "kill-nine")
            {
                KillNineResult result = await KillNineHarness.RunAsync(new KillNineOptions
                {
                    Handshake = handshake,
                    DataDirectory = directory,
                    Cycles = run.Cycles,
                    Workers = run.Workers,
                    Log = Console.WriteLine,
                }).ConfigureAwait(false);
                Console.WriteLine($"kill -9: {result.Cycles} cycles, {result.AcknowledgedWrites} acknowledged writes ({result.Puts} PutItem, {result.Increments} UpdateItem ADD, {result.Transactions} TransactWriteItems), {result.Lost} lost, {result.Torn} torn, {result.CounterViolations} counters out of bounds");
                foreach (string problem in result.Problems) Console.WriteLine("  " + problem);
                return result.Lost == 0 && result.Torn == 0 && result.CounterViolations == 0 ? 0 : 1;
            }

            Console.WriteLine($"mixed load started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
            Console.WriteLine(MixedLoadResult.TableHeader(MixedLoad.Operations));
            MixedLoadResult mixed = await MixedLoad.RunAsync(new MixedLoadOptions
            {
                Handshake = handshake,
                DataDirectory = directory,
                Duration = run.Duration,
                Interval = run.Interval,
                Workers = run.Workers,
                InvokeWorkers = run.InvokeWorkers,
            }, i => Console.WriteLine(MixedLoadResult.TableRow(i)), CancellationToken.None).ConfigureAwait(false);
            Console.WriteLine($"mixed load ended {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
            Console.WriteLine(mixed.Summary());
            foreach (string first in mixed.FirstErrors) Console.WriteLine("  " + first);
            return mixed.Errors == 0 && mixed.MemoryStable ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The options each scenario takes; any other is refused.</summary>
    private static readonly Dictionary<string, string[]> ScenarioOptions = new(StringComparer.Ordinal)
    {
        ["kill-nine"] = ["--cycles", "--workers", "--handshake"],
        ["mixed-load"] = ["--duration", "--interval", "--workers", "--invoke-workers", "--handshake"],
    };

    /// <summary>
    /// Reads <c>SCENARIO [--option value]...</c> into <paramref name="run"/>, with each scenario's defaults. Returns null,
    /// or what is wrong in one line (and <paramref name="run"/> null): an unknown scenario or option, an option given
    /// twice or without its value, a count that is not a whole number in range, a duration that is not one.
    /// </summary>
    public static string? Parse(string[] args, out ReliabilityRun? run)
    {
        run = null;
        string scenario = args.FirstOrDefault() ?? "";
        if (!ScenarioOptions.TryGetValue(scenario, out string[]? known))
        {
            return scenario.Length == 0 ? "no scenario given" : $"unknown scenario '{scenario}'";
        }

        Dictionary<string, string> options = new(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i += 2)
        {
            string name = args[i];
            if (!known.Contains(name))
            {
                return $"unknown option '{name}' for {scenario}";
            }

            if (i + 1 >= args.Length)
            {
                return $"{name} needs a value";
            }

            if (!options.TryAdd(name, args[i + 1]))
            {
                return $"{name} is given twice";
            }
        }

        bool killNine = scenario == "kill-nine";
        string? error = null;
        ReliabilityRun parsed = new(
            scenario,
            options.GetValueOrDefault("--handshake"),
            Cycles: Count(options, "--cycles", 100, minimum: 1, ref error),
            Workers: Count(options, "--workers", killNine ? 8 : 14, minimum: 1, ref error),
            InvokeWorkers: Count(options, "--invoke-workers", 2, minimum: 0, ref error),
            Duration: Duration(options, "--duration", TimeSpan.FromMinutes(10), ref error),
            Interval: Duration(options, "--interval", TimeSpan.FromSeconds(60), ref error));
        if (error is not null)
        {
            return error;
        }

        run = parsed;
        return null;
    }

    // The first bad value is the one reported.
    private static int Count(Dictionary<string, string> options, string name, int fallback, int minimum, ref string? error)
    {
        if (!options.TryGetValue(name, out string? text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum)
        {
            return value;
        }

        error ??= $"{name} takes a whole number of at least {minimum}, not '{text}'";
        return fallback;
    }

    private static TimeSpan Duration(Dictionary<string, string> options, string name, TimeSpan fallback, ref string? error)
    {
        if (!options.TryGetValue(name, out string? text))
        {
            return fallback;
        }

        if (TryParseDuration(text, out TimeSpan value) && value > TimeSpan.Zero)
        {
            return value;
        }

        error ??= $"{name} takes a duration such as 10m, 60s or 90 (seconds), not '{text}'";
        return fallback;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, for the record of what else the machine was doing.</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length == 0)
        {
            return false;
        }

        (string number, double unitSeconds) = text[^1] switch
        {
            'm' => (text[..^1], 60.0),
            's' => (text[..^1], 1.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount) || amount * unitSeconds > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * unitSeconds);
        return true;
    }

    private static string DefaultHandshake()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "src", "Handshake", "bin", "Release", "net10.0", "handshake.dll");
            if (File.Exists(candidate)) return candidate;
        }

        throw new InvalidOperationException("build src/Handshake in Release first, or pass --handshake PATH");
    }
}

/// <summary>A <c>reliability</c> run as its command line asks for it; the options a scenario does not take keep their defaults.</summary>
public sealed record ReliabilityRun(string Scenario, string? Handshake, int Cycles, int Workers, int InvokeWorkers, TimeSpan Duration, TimeSpan Interval);
