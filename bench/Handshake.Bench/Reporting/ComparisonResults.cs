namespace Handshake.Bench.Reporting;

/// <summary>One measured load: an operation at a connection count against one target.</summary>
public sealed record ScenarioResult(
    string Operation, int Connections, long Requests, long Errors, long Reconnects, double Seconds,
    double RequestsPerSecond, double P50Ms, double P99Ms, double P999Ms, double MaxMs, double ClientCpuMicrosecondsPerRequest, double ServerCpuMicrosecondsPerRequest, string? FirstError);

/// <summary>Everything measured for one target, or why it could not be measured.</summary>
public sealed record TargetResult(
    string Name, string Description, double? FirstAnswerMs, double? FirstAnswerCpuMs, double? IdleRssMb, double? LoadedRssMb,
    IReadOnlyList<ScenarioResult> Scenarios, string? Failure)
{
    public ScenarioResult? Scenario(string operation, int connections)
    {
        foreach (var scenario in Scenarios)
        {
            if (scenario.Operation == operation && scenario.Connections == connections)
            {
                return scenario;
            }
        }

        return null;
    }
}

/// <summary>A target of issue 2, the value measured, and whether it was met (null when it could not be measured).</summary>
public sealed record GoalResult(string Goal, string Measured, bool? Met);

/// <summary>Handshake against one peer in one scenario: throughput ratio (higher is better) and p50 ratio (lower is better).</summary>
public sealed record RatioResult(string Operation, int Connections, string Peer, double ThroughputRatio, double P50Ratio);

/// <summary>The whole comparison: settings, machine, per-target results, ratios and goals.</summary>
public sealed record ComparisonReport(
    string Command, string StartedUtc, int ProcessorCount, double LoadAverage1m, double DurationSeconds, double WarmupSeconds,
    int Keys, IReadOnlyList<TargetResult> Targets, IReadOnlyList<RatioResult> Ratios, IReadOnlyList<GoalResult> Goals);
