using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Handshake.Bench.Reporting;

/// <summary>Turns the measurements into issue 2's goals, a markdown table (for the README) and JSON (for machines).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static IReadOnlyList<GoalResult> Goals(IReadOnlyList<TargetResult> targets, bool handshakeUpMeasured)
    {
        var handshake = Find(targets, "handshake");
        var dynalite = Find(targets, "dynalite");
        var bare = Find(targets, "bare");
        var put32 = handshake?.Scenario("PutItem", 32);
        var goals = new List<GoalResult>
        {
            Ratio("PutItem/s at 32 connections >= 5x dynalite", put32?.RequestsPerSecond, dynalite?.Scenario("PutItem", 32)?.RequestsPerSecond, 5, atLeast: true, "F0", "req/s"),
            Ratio("PutItem/s at 32 connections >= 0.5x bare Kestrel", put32?.RequestsPerSecond, bare?.Scenario("PutItem", 32)?.RequestsPerSecond, 0.5, atLeast: true, "F0", "req/s"),
            Ratio("PutItem p50 at 1 connection <= 0.25x dynalite's", handshake?.Scenario("PutItem", 1)?.P50Ms, dynalite?.Scenario("PutItem", 1)?.P50Ms, 0.25, atLeast: false, "F3", "ms"),
        };
        var via = handshakeUpMeasured ? "`handshake up`" : "the store process (`handshake up` not available)";
        goals.Add(handshake?.FirstAnswerMs is { } first
            ? new GoalResult($"first answered request <= 150 ms after start ({via})",
                $"{first:F0} ms ({handshake.FirstAnswerCpuMs:F0} ms of CPU)", handshakeUpMeasured ? first <= 150 : null)
            : new GoalResult("first answered request <= 150 ms after start", "not measured", null));
        goals.Add(handshake?.IdleRssMb is { } rss
            ? new GoalResult($"idle memory < 60 MB ({via})", $"{rss:F1} MB", handshakeUpMeasured ? rss < 60 : null)
            : new GoalResult("idle memory < 60 MB", "not measured", null));
        return goals;
    }

    /// <summary>Handshake's throughput and p50 divided by each peer's, scenario by scenario.</summary>
    public static IReadOnlyList<RatioResult> Ratios(IReadOnlyList<TargetResult> targets)
    {
        var ratios = new List<RatioResult>();
        var handshake = Find(targets, "handshake");
        if (handshake is null)
        {
            return ratios;
        }

        foreach (var scenario in handshake.Scenarios)
        {
            foreach (var peer in targets)
            {
                if (peer.Name == "handshake" || peer.Failure is not null || peer.Scenario(scenario.Operation, scenario.Connections) is not { } other)
                {
                    continue;
                }

                ratios.Add(new RatioResult(scenario.Operation, scenario.Connections, peer.Name,
                    scenario.RequestsPerSecond / other.RequestsPerSecond, scenario.P50Ms / other.P50Ms));
            }
        }

        return ratios;
    }

    public static string Json(ComparisonReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static string Markdown(ComparisonReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Run {report.StartedUtc} on {report.ProcessorCount} cores (1-minute load average at the end: {report.LoadAverage1m:F2}); " +
            $"{report.DurationSeconds:0.#} s per scenario after {report.WarmupSeconds:0.#} s of warm-up; {report.Keys} items of ~100 bytes; " +
            $"targets started one at a time, then each scenario run against every target back to back.");
        text.AppendLine();
        // CPU per request: the target's own (all its threads) and the load generator's. On a machine whose cores
        // the two share, throughput is about the cores divided by their sum, so this is what a server change moves.
        text.AppendLine("| target | operation | connections | requests/s | p50 ms | p99 ms | server CPU us/req | client CPU us/req | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var target in report.Targets)
        {
            if (target.Failure is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | not measured: {target.Failure} | | | | | | | |");
                continue;
            }

            foreach (var s in target.Scenarios)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {target.Name} | {s.Operation} | {s.Connections} | {s.RequestsPerSecond:N0} | {s.P50Ms:F3} | {s.P99Ms:F3} | {s.ServerCpuMicrosecondsPerRequest:F1} | {s.ClientCpuMicrosecondsPerRequest:F1} | {s.Errors} |");
            }
        }

        if (report.Ratios.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| Handshake vs | operation | connections | throughput ratio | p50 ratio |");
            text.AppendLine("|---|---|---:|---:|---:|");
            foreach (var ratio in report.Ratios)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {ratio.Peer} | {ratio.Operation} | {ratio.Connections} | {ratio.ThroughputRatio:F2}x | {ratio.P50Ratio:F2}x |");
            }
        }

        text.AppendLine();
        text.AppendLine("| target | what ran | first answer ms | CPU to first answer ms | idle RSS MB | RSS after load MB |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var target in report.Targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {target.Name} | {target.Description} | {Format(target.FirstAnswerMs, "F0")} | {Format(target.FirstAnswerCpuMs, "F0")} | {Format(target.IdleRssMb, "F1")} | {Format(target.LoadedRssMb, "F1")} |");
        }

        text.AppendLine();
        text.AppendLine("| goal (issue 2) | measured | met |");
        text.AppendLine("|---|---|---|");
        foreach (var goal in report.Goals)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {goal.Goal} | {goal.Measured} | {goal.Met switch { true => "yes", false => "**no**", null => "n/a" }} |");
        }

        return text.ToString();
    }

    private static GoalResult Ratio(string goal, double? value, double? reference, double bound, bool atLeast, string format, string unit)
    {
        if (value is not { } v || reference is not { } r || r <= 0 || double.IsNaN(v) || double.IsNaN(r))
        {
            return new GoalResult(goal, "not measured", null);
        }

        var ratio = v / r;
        var measured = string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}x ({v.ToString(format, CultureInfo.InvariantCulture)} vs {r.ToString(format, CultureInfo.InvariantCulture)} {unit})");
        return new GoalResult(goal, measured, atLeast ? ratio >= bound : ratio <= bound);
    }

    private static TargetResult? Find(IReadOnlyList<TargetResult> targets, string name)
    {
        foreach (var target in targets)
        {
            if (target.Name == name && target.Failure is null)
            {
                return target;
            }
        }

        return null;
    }

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
