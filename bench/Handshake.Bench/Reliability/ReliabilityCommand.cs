using System.Globalization;

namespace Handshake.Bench.Reliability;

/// <summary>
/// The long reliability runs (issue 6), with their own small argument parsing:
///   reliability kill-nine [--cycles 100] [--workers 8] [--handshake PATH]
///   reliability mixed-load [--duration 10m] [--interval 60s] [--workers 16] [--handshake PATH]
/// PATH is handshake.dll or the handshake executable (default: src/Handshake/bin/Release/net10.0/handshake.dll).
/// </summary>
public static class ReliabilityCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
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
                    Console.WriteLine("| interval | requests | requests/s | p99 ms | server RSS MB | errors |");
                    Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
                    List<MixedLoadInterval> intervals = await MixedLoad.RunAsync(new MixedLoadOptions
                    {
                        Handshake = handshake,
                        DataDirectory = directory,
                        Duration = ParseDuration(options.GetValueOrDefault("--duration") ?? "10m"),
                        Interval = ParseDuration(options.GetValueOrDefault("--interval") ?? "60s"),
                        Workers = int.Parse(options.GetValueOrDefault("--workers") ?? "16", CultureInfo.InvariantCulture),
                    }, i => Console.WriteLine($"| {i.Index} | {i.Requests} | {i.PerSecond:F0} | {i.P99Milliseconds:F2} | {i.ResidentBytes / 1048576.0:F0} | {i.Errors} |"), CancellationToken.None).ConfigureAwait(false);
                    return intervals.Sum(i => i.Errors) == 0 ? 0 : 1;
                }

                default:
                    Console.Error.WriteLine("usage: reliability kill-nine [--cycles N] [--workers N] | mixed-load [--duration 10m] [--interval 60s] [--workers N]  [--handshake PATH]");
                    return 2;
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
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
