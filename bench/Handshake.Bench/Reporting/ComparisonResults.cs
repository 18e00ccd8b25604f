namespace Handshake.Bench.Reporting;

/// <summary>One measured load: an operation at a connection count against one target.</summary>
public sealed record ScenarioResult(
    string Operation, int Connections, long Requests, long Errors, long Reconnects, double Seconds,
    double RequestsPerSecond, double P50Ms, double P99Ms, double P999Ms, double MaxMs, string? FirstError);

/// <summary>Everything measured for one target, or why it could not be measured.</summary>
public sealed record TargetResult(
    string Name, string Description, double? FirstAnswerMs, double? IdleRssMb, double? LoadedRssMb,
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

/// <summary>The whole comparison: settings, machine, per-target results, ratios and goals.</summary>
public sealed record ComparisonReport(
    string Command, string StartedUtc, int ProcessorCount, double LoadAverage1m, double DurationSeconds, double WarmupSeconds,
    int Keys, IReadOnlyList<TargetResult> Targets, IReadOnlyList<GoalResult> Goals);
