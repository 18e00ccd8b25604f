using System.Globalization;

namespace Handshake.Bench.Reliability;

/// <summary>
/// The long reliability runs (issue 6), with their own small argument parsing:
///   reliability kill-nine [--cycles 100] [--workers 8] [--handshake PATH]
///   reliability mixed-load [--duration 10m] [--interval 60s] [--workers 14] [--invoke-workers 2] [--handshake PATH]
/// PATH is handshake.dll or the handshake executable (default: src/Handshake/bin/Release/net10.0/handshake.dll).
/// </summary>
public static class ReliabilityCommand
{
    /// <summary>What <c>reliability</c> takes, printed for <c>--help</c> and for an unknown scenario.</summary>
    public const string Usage = "usage: reliability kill-nine [--cycles N] [--workers N] | mixed-load [--duration 10m] [--interval 60s] [--workers N] [--invoke-workers N]  [--handshake PATH]";

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

        Dictionary<string, string> options = new(StringComparer.Ordinal);
        for (int i = 1; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
        string handshake = options.GetValueOrDefault("--handshake") ?? DefaultHandshake();
        string directory = Path.Combine(Path.GetTempPath(), "handshake-reliability-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            switch (args.FirstOrDefault())
            {
                case "kill-nine":
                {
                    KillNineResult result = await KillNineHarness.RunAsync(new KillNineOptions
                    {
                        Handshake = handshake,
                        DataDirectory = directory,
                        Cycles = int.Parse(options.GetValueOrDefault("--cycles") ?? "100", CultureInfo.InvariantCulture),
                        Workers = int.Parse(options.GetValueOrDefault("--workers") ?? "8", CultureInfo.InvariantCulture),
                        Log = Console.WriteLine,
                    }).ConfigureAwait(false);
                    Console.WriteLine($"kill -9: {result.Cycles} cycles, {result.AcknowledgedWrites} acknowledged writes ({result.Puts} PutItem, {result.Increments} UpdateItem ADD, {result.Transactions} TransactWriteItems), {result.Lost} lost, {result.Torn} torn, {result.CounterViolations} counters out of bounds");
                    foreach (string problem in result.Problems) Console.WriteLine("  " + problem);
                    return result.Lost == 0 && result.Torn == 0 && result.CounterViolations == 0 ? 0 : 1;
                }

                case "mixed-load":
                {
                    Console.WriteLine($"mixed load started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
                    Console.WriteLine(MixedLoadResult.TableHeader(MixedLoad.Operations));
                    MixedLoadResult result = await MixedLoad.RunAsync(new MixedLoadOptions
                    {
                        Handshake = handshake,
                        DataDirectory = directory,
                        Duration = ParseDuration(options.GetValueOrDefault("--duration") ?? "10m"),
                        Interval = ParseDuration(options.GetValueOrDefault("--interval") ?? "60s"),
                        Workers = int.Parse(options.GetValueOrDefault("--workers") ?? "14", CultureInfo.InvariantCulture),
                        InvokeWorkers = int.Parse(options.GetValueOrDefault("--invoke-workers") ?? "2", CultureInfo.InvariantCulture),
                    }, i => Console.WriteLine(MixedLoadResult.TableRow(i)), CancellationToken.None).ConfigureAwait(false);
                    Console.WriteLine($"mixed load ended {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
                    Console.WriteLine(result.Summary());
                    foreach (string error in result.FirstErrors) Console.WriteLine("  " + error);
                    return result.Errors == 0 && result.MemoryStable ? 0 : 1;
                }

                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
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

    private static TimeSpan ParseDuration(string text) => text[^1] switch
    {
        'm' => TimeSpan.FromMinutes(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        's' => TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        _ => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture)),
    };

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
