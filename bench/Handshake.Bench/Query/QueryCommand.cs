using System.CommandLine;
using System.Globalization;
using System.Text;
using Handshake.Bench.Peers;

namespace Handshake.Bench.Query;

/// <summary>
/// The `query` verb (issue 5): index-seek latency against table size, Query and Scan throughput against dynalite, and
/// UpdateItem ADD counters against dynalite. Prints markdown for the README section "numbers".
/// </summary>
public static class QueryCommand
{
    public static Command Create()
    {
        var small = new Option<int>("--small") { Description = "Items in the table for the first index-seek measurement.", DefaultValueFactory = _ => 100_000 };
        var large = new Option<int>("--large") { Description = "Items the table grows to for the second one.", DefaultValueFactory = _ => 1_000_000 };
        var partition = new Option<int>("--partition-size") { Description = "Items per partition (pk); at least 200.", DefaultValueFactory = _ => 1000 };
        var items = new Option<int>("--items") { Description = "Items in the Handshake-vs-dynalite data set.", DefaultValueFactory = _ => 10_000 };
        var connections = new Option<int>("--connections") { Description = "Connections for Query, Scan and UpdateItem.", DefaultValueFactory = _ => 32 };
        var loadConnections = new Option<int>("--load-connections") { Description = "Connections writing BatchWriteItem when loading.", DefaultValueFactory = _ => 4 };
        var duration = new Option<double>("--duration") { Description = "Seconds measured per scenario.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured load before each scenario.", DefaultValueFactory = _ => 1 };
        var maxRequests = new Option<long>("--max-requests") { Description = "Upper bound on requests per scenario.", DefaultValueFactory = _ => 2_000_000 };
        var parts = new Option<string>("--parts") { Description = "Which parts: seek,compare.", DefaultValueFactory = _ => "seek,compare" };
        var handshake = new Option<string?>("--handshake") { Description = "Measure `PATH up` (the handshake executable) instead of the store (DynamoServer) alone in its own process." };
        var command = new Command("query", "Issue 5: Query index seek at two table sizes; Query, Scan and UpdateItem ADD against dynalite.")
        {
            small, large, partition, items, connections, loadConnections, duration, warmup, maxRequests, parts, handshake,
        };
        command.SetAction(async (parse, ct) =>
        {
            // As in `store`: the load generator's continuations run inline; PeerProcess keeps it from the servers.
            Environment.SetEnvironmentVariable(PeerProcess.InlineCompletionsVariable, "1");
            try
            {
                var settings = new QuerySettings(parse.GetValue(small), parse.GetValue(large), Math.Max(200, parse.GetValue(partition)),
                    parse.GetValue(items), parse.GetValue(connections), Math.Max(1, parse.GetValue(loadConnections)),
                    TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)), parse.GetValue(maxRequests));
                var which = parse.GetValue(parts)!;
                var started = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
                var benchmark = new QueryBenchmark(new TargetLauncher(FindRepositoryRoot(), parse.GetValue(handshake)), settings);
                if (which.Contains("seek", StringComparison.Ordinal))
                {
                    await benchmark.IndexSeekAsync(ct);
                }

                if (which.Contains("compare", StringComparison.Ordinal))
                {
                    await benchmark.ComparisonAsync(ct);
                }

                var commandLine = "dotnet run -c Release --project bench/Handshake.Bench -- " + string.Join(' ', parse.Tokens.Select(t => t.Value));
                Console.Out.Write(Markdown(benchmark, settings, commandLine, started));
                var failed = benchmark.Seek.Concat(benchmark.Comparison).Any(m => m.Errors > 0);
                return failed ? 1 : 0;
            }
            finally
            {
                PeerProcess.KillAll();
            }
        });
        return command;
    }

    private static string Markdown(QueryBenchmark benchmark, QuerySettings settings, string commandLine, string started)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Run {started} on {Environment.ProcessorCount} cores (1-minute load average at the end: {LoadAverage()}); " +
            $"{settings.Duration.TotalSeconds:0.#} s per scenario after {settings.Warmup.TotalSeconds:0.#} s of warm-up; " +
            $"~100-byte items, {settings.PartitionSize} per partition. Command: `{commandLine}`");
        text.AppendLine();
        text.AppendLine("| target | operation | connections | requests/s | p50 ms | p99 ms | client CPU us/req | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in benchmark.Seek.Concat(benchmark.Comparison))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Target} | {m.Operation} | {m.Connections} | {m.RequestsPerSecond:N0} | {m.P50Ms:F3} | {m.P99Ms:F3} | {m.ClientCpuMicrosecondsPerRequest:F0} | {m.Errors} |");
        }

        text.AppendLine();
        text.AppendLine("| measure | ratio |");
        text.AppendLine("|---|---:|");
        if (benchmark.Seek.Count == 2)
        {
            var (before, after) = (benchmark.Seek[0], benchmark.Seek[1]);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| Query p50 at {settings.LargeItems:N0} items / at {settings.SmallItems:N0} (1.0 = no growth) | {after.P50Ms / before.P50Ms:F2} |");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| Query p99 at {settings.LargeItems:N0} items / at {settings.SmallItems:N0} | {after.P99Ms / before.P99Ms:F2} |");
        }

        foreach (var operation in new[] { "Query", "Scan", "UpdateItem ADD" })
        {
            var handshake = benchmark.Comparison.Find(m => m.Target == "handshake" && m.Operation == operation);
            var dynalite = benchmark.Comparison.Find(m => m.Target == "dynalite" && m.Operation == operation);
            if (handshake is not null && dynalite is not null)
            {
                var goal = operation == "UpdateItem ADD" ? " (goal >= 5)" : "";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {operation} x{handshake.Connections}: Handshake req/s / dynalite's{goal} | {handshake.RequestsPerSecond / dynalite.RequestsPerSecond:F2} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| table load (BatchWriteItem, 25 items per request, over HTTP) | items added | seconds | items/s | ItemCount after |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var load in benchmark.Loads)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {load.Target} | {load.Items:N0} | {load.Seconds:F1} | {load.ItemsPerSecond:N0} | {load.ItemCount} |");
        }

        text.AppendLine();
        // Without --handshake the launcher's store process is what was chosen, not a fallback.
        var targets = benchmark.Descriptions.Select(d => d.Replace("; `handshake up` was not available", " (the store alone, chosen by the bench)", StringComparison.Ordinal));
        text.AppendLine("Targets: " + string.Join("; ", targets.Distinct()) + ".");
        return text.ToString();
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("run the bench from inside the Handshake repository (no Handshake.slnx found)");
    }
}
