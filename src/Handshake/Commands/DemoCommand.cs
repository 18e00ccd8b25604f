using System.CommandLine;
using Handshake.Experiment;
using Spectre.Console;

namespace Handshake.Commands;

/// <summary>
/// <c>handshake demo</c>: the README's first command. A short bench in every mode this machine can run, the seed's
/// comparison side by side, one sentence drawn from the measured numbers, and the HTML report.
/// </summary>
internal static class DemoCommand
{
    // The NativeAOT publish takes minutes on a first run; the demo gives it this long, then skips dotnet-aot with the
    // reason. `handshake bench --modes dotnet-aot` waits for it and caches it, and every later demo includes the mode.
    private static readonly TimeSpan AotPublishTimeout = TimeSpan.FromSeconds(90);

    internal static Command Create()
    {
        Option<long> invocations = BenchCommand.Positive<long>("--invocations", "Invocations per mode.", 2_000);
        Option<string> html = new("--html")
        {
            Description = "Where to write the HTML report.",
            DefaultValueFactory = _ => Path.Combine(".handshake", "demo-report.html"),
        };
        Command command = new("demo", "The seed's experiment in about a minute: every SDK mode, connections and latency side by side, and an HTML report.")
        {
            invocations, html,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            BenchOptions options = new()
            {
                Modes = BenchMode.All,
                Invocations = parseResult.GetValue(invocations),
                Concurrency = 4,
                HtmlPath = parseResult.GetValue(html),
                SkipUnavailableModes = true,
                AotPublishTimeout = AotPublishTimeout,
            };
            Console.WriteLine($"handshake demo: {options.Invocations:N0} invocations of the seed's put-record function in each SDK mode, 4 at a time, against the embedded store.");
            return BenchCommand.RunAsync(options, cancellationToken, PrintComparison);
        });
        return command;
    }

    private static void PrintComparison(BenchRun run)
    {
        List<ModeResult> ran = [.. run.Results.Where(r => r.SkippedBecause is null && r.Completed > 0)];
        Table table = new Table().Border(TableBorder.Rounded).Title("The seed's comparison");
        table.AddColumns("Mode", "What it runs", "Connections per 1,000 invocations", "p50 ms", "p99 ms", "Invocations/s");
        for (int column = 2; column < 6; column++)
        {
            table.Columns[column].RightAligned();
        }

        foreach (ModeResult r in ran)
        {
            table.AddRow(Markup.Escape(r.Mode.Name), Markup.Escape(r.Mode.Description), $"{r.ConnectionsPerThousand:N1}",
                $"{r.LatencyMs(50):F2}", $"{r.LatencyMs(99):F2}", $"{r.Throughput:N0}");
        }

        AnsiConsole.Write(table);
        if (Conclusion(ran) is { } sentence)
        {
            Console.WriteLine(sentence);
        }
    }

    /// <summary>One sentence from the numbers: the seed's problem against its fix (Node), else the .NET pair.</summary>
    internal static string? Conclusion(IReadOnlyList<ModeResult> ran)
    {
        foreach ((string problem, string fix, string how) in new[]
        {
            ("node-v2", "node-v2-reuse", "setting AWS_NODEJS_CONNECTION_REUSE_ENABLED=1"),
            ("dotnet-no-reuse", "dotnet", "building the AWS SDK client once per environment"),
        })
        {
            ModeResult? without = ran.FirstOrDefault(r => r.Mode.Name == problem && !r.Cancelled);
            ModeResult? with = ran.FirstOrDefault(r => r.Mode.Name == fix && !r.Cancelled);
            if (without is null || with is null)
            {
                continue;
            }

            double p50Without = without.LatencyMs(50);
            double p50With = with.LatencyMs(50);
            string latency = p50With < p50Without
                ? $"cut the median invocation from {p50Without:F2} ms to {p50With:F2} ms ({p50Without / Math.Max(p50With, 0.001):F1}x faster)"
                : $"left the median invocation at {p50With:F2} ms against {p50Without:F2} ms (on loopback a handshake costs little; `handshake bench --modes {problem},{fix} --tls --link-rtt 2ms` gives each new connection a TLS handshake and an emulated 2 ms round trip)";
            return $"Measured here: {without.Mode.Name} opened {without.ConnectionsPerThousand:N0} store connections per 1,000 invocations " +
                $"and {with.Mode.Name} {with.ConnectionsPerThousand:N1}, so {how} saved {Math.Max(0, without.ConnectionsOpened - with.ConnectionsOpened):N0} " +
                $"of {without.Completed:N0} TCP handshakes and {latency}.";
        }

        return null;
    }
}
