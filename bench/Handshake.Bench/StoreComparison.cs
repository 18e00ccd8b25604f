using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Bench.Load;
using Handshake.Bench.Peers;
using Handshake.Bench.Reporting;

namespace Handshake.Bench;

/// <summary>What the `store` comparison runs: per-scenario duration and warm-up, connection counts, key count, targets.</summary>
public sealed record ComparisonSettings(
    TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<int> Connections, int Keys, IReadOnlyList<string> Targets, long MaxRequests);

/// <summary>
/// Issue 2's benchmark: each target in turn is started as its own process, given a table seeded with the same
/// ~100-byte items, driven with PutItem and GetItem at each connection count by the same load generator, and stopped.
/// </summary>
public sealed class StoreComparison(TargetLauncher launcher, ComparisonSettings settings)
{
    public static readonly string[] AllTargets = ["handshake", "dynalite", "moto", "bare"];
    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SeedLimit = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Starts every target one after the other (so each start is measured alone), then runs each scenario against
    /// every target back to back, so that a noisy machine skews all targets of a scenario alike.
    /// </summary>
    public async Task<IReadOnlyList<TargetResult>> RunAsync(CancellationToken ct)
    {
        var prepared = new List<PreparedTarget>();
        var failed = new Dictionary<string, string>();
        try
        {
            foreach (var name in settings.Targets)
            {
                Console.Error.WriteLine($"== starting {name}");
                RunningTarget? target = null;
                try
                {
                    target = await StartAsync(name, ct);
                    prepared.Add(await PrepareAsync(target, ct));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Console.Error.WriteLine($"   {name} could not be measured: {e.Message}");
                    failed[name] = TableSetup.Shorten(e.Message.Split('\n')[0]);
                    if (target is not null)
                    {
                        await target.DisposeAsync();
                    }
                }
            }

            foreach (var operation in new[] { "PutItem", "GetItem" })
            {
                foreach (var connections in settings.Connections)
                {
                    Console.Error.WriteLine($"== {operation} x{connections}");
                    foreach (var target in prepared)
                    {
                        target.Scenarios.Add(await MeasureAsync(target, operation, connections, ct));
                    }
                }
            }

            var results = new List<TargetResult>();
            foreach (var name in settings.Targets)
            {
                var target = prepared.Find(t => t.Target.Name == name);
                results.Add(target is null
                    ? new TargetResult(name, name, null, null, null, null, [], failed.GetValueOrDefault(name, "not started"))
                    : new TargetResult(name, target.Target.Description, target.Target.FirstAnswer.TotalMilliseconds,
                        target.Target.FirstAnswerCpu.TotalMilliseconds, target.IdleRss / 1048576.0, target.Target.Process.ResidentBytes() / 1048576.0, target.Scenarios, null));
            }

            return results;
        }
        finally
        {
            foreach (var target in prepared)
            {
                await target.Target.DisposeAsync();
            }
        }
    }

    private Task<RunningTarget> StartAsync(string name, CancellationToken ct) => name switch
    {
        "handshake" => launcher.StartHandshakeAsync(ct),
        "dynalite" => launcher.StartDynaliteAsync(ct),
        "moto" => launcher.StartMotoAsync(ct),
        "bare" => launcher.StartBareAsync(ct),
        _ => throw new ArgumentException($"unknown target {name}; known: {string.Join(", ", AllTargets)}"),
    };

    /// <summary>Idle memory after the first answer, then the table and its seeded items.</summary>
    private async Task<PreparedTarget> PrepareAsync(RunningTarget target, CancellationToken ct)
    {
        Console.Error.WriteLine($"   {target.Description}: first answer after {target.FirstAnswer.TotalMilliseconds:F0} ms ({target.FirstAnswerCpu.TotalMilliseconds:F0} ms of CPU)");
        await Task.Delay(IdleSettle, ct);
        var idleRss = target.Process.ResidentBytes();
        var requests = new DynamoRequests($"127.0.0.1:{target.Endpoint.Port}");
        var prepared = new PreparedTarget(target, idleRss, requests.PutItems(settings.Keys), requests.GetItems(settings.Keys));
        if (target.SpeaksDynamo)
        {
            await CreateTableAsync(target.Endpoint, requests, ct);
            var seed = await LoadGenerator.RunAsync(target.Endpoint, prepared.Puts, Math.Min(32, settings.Keys), SeedLimit, settings.Keys, null, ct);
            if (seed.Errors > 0 || seed.Requests < settings.Keys)
            {
                throw new InvalidOperationException($"seeding wrote {seed.Requests - seed.Errors} of {settings.Keys} items: {seed.FirstError}");
            }
        }

        return prepared;
    }

    private async Task<ScenarioResult> MeasureAsync(PreparedTarget prepared, string operation, int connections, CancellationToken ct)
    {
        var target = prepared.Target;
        var set = operation == "PutItem" ? prepared.Puts : prepared.Gets;
        BodyCheck? check = operation == "GetItem" && target.SpeaksDynamo ? HasItem : null;
        if (settings.Warmup > TimeSpan.Zero)
        {
            await LoadGenerator.RunAsync(target.Endpoint, set, connections, settings.Warmup, settings.MaxRequests, check, ct);
        }

        // The target's own CPU per request (user + system, all its threads): what a change to the server costs or
        // saves, which throughput alone hides on a machine whose cores the load generator shares.
        var serverCpuBefore = target.Process.CpuTime();
        var result = await LoadGenerator.RunAsync(target.Endpoint, set, connections, settings.Duration, settings.MaxRequests, check, ct);
        var serverCpu = target.Process.CpuTime() - serverCpuBefore;
        ct.ThrowIfCancellationRequested();
        var scenario = new ScenarioResult(operation, connections, result.Requests, result.Errors, result.Reconnects,
            result.Elapsed.TotalSeconds, result.RequestsPerSecond, result.PercentileMilliseconds(50), result.PercentileMilliseconds(99),
            result.PercentileMilliseconds(99.9), result.PercentileMilliseconds(100), result.ClientCpuMicrosecondsPerRequest,
            result.Requests > 0 ? serverCpu.TotalMicroseconds / result.Requests : 0, result.FirstError);
        Console.Error.WriteLine(
            $"   {target.Name,-9} {scenario.RequestsPerSecond,9:F0} req/s  p50 {scenario.P50Ms,7:F3} ms  p99 {scenario.P99Ms,7:F3} ms  client CPU {scenario.ClientCpuMicrosecondsPerRequest,5:F1} us/req  server CPU {scenario.ServerCpuMicrosecondsPerRequest,5:F1} us/req  errors {scenario.Errors}" +
            (scenario.FirstError is null ? "" : $" (first: {TableSetup.Shorten(scenario.FirstError)})"));
        return scenario;
    }

    private static bool HasItem(ReadOnlySpan<byte> body) => body.IndexOf("\"Item\""u8) >= 0;

    private static Task CreateTableAsync(IPEndPoint endpoint, DynamoRequests requests, CancellationToken ct) =>
        TableSetup.CreateTableAsync(endpoint, requests.CreateTable(), requests.DescribeTable(), ct);

    private sealed record PreparedTarget(RunningTarget Target, long IdleRss, RequestSet Puts, RequestSet Gets)
    {
        public List<ScenarioResult> Scenarios { get; } = [];
    }
}
