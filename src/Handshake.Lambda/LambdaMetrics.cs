using System.Diagnostics.Metrics;

namespace Handshake.Lambda;

/// <summary>
/// The function host's metrics: meter "Handshake.Lambda", counters tagged by function name. `up` serves them on
/// <c>/metrics</c> with the store's and the network's. Freezes against invocations tell how often an environment was
/// really frozen and thawed between invocations: Lambda (and so the host) freezes only an environment with no
/// invocation waiting for it, so back-to-back invocations may run without a freeze between them.
/// </summary>
internal static class LambdaMetrics
{
    public const string MeterName = "Handshake.Lambda";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Invocations = Meter.CreateCounter<long>(
        "handshake.lambda.invocations", "{invocation}", "Invocations handed to an execution environment (throttled ones are not).");

    private static readonly Counter<long> Throttles = Meter.CreateCounter<long>(
        "handshake.lambda.throttles", "{invocation}", "Invocations refused with TooManyRequestsException.");

    private static readonly Counter<long> EnvironmentsStarted = Meter.CreateCounter<long>(
        "handshake.lambda.environments.started", "{environment}", "Execution environments started (cold starts).");

    private static readonly Counter<long> Freezes = Meter.CreateCounter<long>(
        "handshake.lambda.environment.freezes", "{freeze}", "Environments frozen (SIGSTOP to the process group).");

    private static readonly Counter<long> Thaws = Meter.CreateCounter<long>(
        "handshake.lambda.environment.thaws", "{thaw}", "Frozen environments continued (SIGCONT) for an invocation.");

    private static readonly Counter<long> LogEventsDropped = Meter.CreateCounter<long>(
        "handshake.lambda.log_events.dropped", "{event}",
        "Function log events not written to logs.db (the writer fell behind, or their commit failed): kept in memory only, lost at a restart.");

    public static void Invoked(string function) => Add(Invocations, function);

    public static void LogEventsNotWritten(string function, long count)
    {
        if (LogEventsDropped.Enabled)
        {
            LogEventsDropped.Add(count, new KeyValuePair<string, object?>("function", function));
        }
    }

    public static void Throttled(string function) => Add(Throttles, function);

    public static void EnvironmentStarted(string function) => Add(EnvironmentsStarted, function);

    public static void Frozen(string function) => Add(Freezes, function);

    public static void Thawed(string function) => Add(Thaws, function);

    private static void Add(Counter<long> counter, string function)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("function", function));
        }
    }
}
