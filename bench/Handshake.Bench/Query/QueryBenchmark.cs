using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Bench.Load;
using Handshake.Bench.Peers;

namespace Handshake.Bench.Query;

/// <summary>What the `query` scenario runs.</summary>
public sealed record QuerySettings(
    int SmallItems, int LargeItems, int PartitionSize, int ComparisonItems, int Connections, int LoadConnections,
    TimeSpan Duration, TimeSpan Warmup, long MaxRequests);

/// <summary>One measured load of the `query` scenario.</summary>
public sealed record QueryMeasurement(string Target, string Operation, int Connections, long Requests, long Errors,
    double RequestsPerSecond, double P50Ms, double P99Ms, double ClientCpuMicrosecondsPerRequest, string? FirstError);

/// <summary>How a table was filled: items, seconds, and the table's ItemCount afterwards (DescribeTable), as a check.</summary>
public sealed record TableLoad(string Target, int Items, double Seconds, string ItemCount)
{
    public double ItemsPerSecond => Seconds > 0 ? Items / Seconds : 0;
}

/// <summary>
/// Issue 5's benchmark. Part 1 (index seek): Handshake alone, Query for a partition's first 100 items at 1 connection
/// on a table of SmallItems, then the same requests after the table grew to LargeItems. Parts 2 and 3: Handshake and
/// dynalite, each with the same ComparisonItems, driven with Query, Scan and UpdateItem ADD at Connections.
/// </summary>
public sealed class QueryBenchmark(TargetLauncher launcher, QuerySettings settings)
{
    private static readonly TimeSpan LoadLimit = TimeSpan.FromSeconds(600);

    public List<QueryMeasurement> Seek { get; } = [];

    public List<QueryMeasurement> Comparison { get; } = [];

    public List<TableLoad> Loads { get; } = [];

    public List<string> Descriptions { get; } = [];

    public async Task IndexSeekAsync(CancellationToken ct)
    {
        Console.Error.WriteLine($"== index seek: {settings.SmallItems} then {settings.LargeItems} items");
        await using var target = await launcher.StartHandshakeAsync(ct);
        Descriptions.Add(target.Description);
        var requests = new QueryRequests($"127.0.0.1:{target.Endpoint.Port}", settings.PartitionSize);
        await CreateTableAsync(target.Endpoint, requests, ct);
        await LoadAsync(target, requests, 0, settings.SmallItems, ct);
        // The same requests before and after the growth: partitions that exist in the small table.
        var queries = requests.FirstItems(Math.Max(1, settings.SmallItems / settings.PartitionSize), 100);
        Seek.Add(await MeasureAsync(target, queries, $"Query Limit 100, {settings.SmallItems:N0} items", 1, HasHundredItems, ct));
        await LoadAsync(target, requests, settings.SmallItems, settings.LargeItems, ct);
        Seek.Add(await MeasureAsync(target, queries, $"Query Limit 100, {settings.LargeItems:N0} items", 1, HasHundredItems, ct));
    }

    public async Task ComparisonAsync(CancellationToken ct)
    {
        Console.Error.WriteLine($"== Query, Scan, UpdateItem ADD: {settings.ComparisonItems} items, {settings.Connections} connections");
        var targets = new List<(RunningTarget Target, QueryRequests Requests)>();
        try
        {
            targets.Add(await PrepareAsync(await launcher.StartHandshakeAsync(ct), ct));
            targets.Add(await PrepareAsync(await launcher.StartDynaliteAsync(ct), ct));
            var count = Math.Min(settings.ComparisonItems, 10_000);
            // Each operation runs against every target back to back, so a noisy machine skews both alike.
            foreach (var (operation, check) in new (string, BodyCheck?)[] { ("Query", HasHundredItems), ("Scan", HasItems), ("UpdateItem ADD", null) })
            {
                foreach (var (target, requests) in targets)
                {
                    var set = operation switch
                    {
                        "Query" => requests.Ranges(settings.ComparisonItems, count),
                        "Scan" => requests.ScanPages(settings.ComparisonItems, Math.Min(count, 1000)),
                        _ => requests.Counters(settings.ComparisonItems),
                    };
                    Comparison.Add(await MeasureAsync(target, set, operation, settings.Connections, check, ct));
                }
            }
        }
        finally
        {
            foreach (var (target, _) in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private async Task<(RunningTarget, QueryRequests)> PrepareAsync(RunningTarget target, CancellationToken ct)
    {
        try
        {
            Descriptions.Add(target.Description);
            var requests = new QueryRequests($"127.0.0.1:{target.Endpoint.Port}", settings.PartitionSize);
            await CreateTableAsync(target.Endpoint, requests, ct);
            await LoadAsync(target, requests, 0, settings.ComparisonItems, ct);
            return (target, requests);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes items [from, to) with BatchWriteItem, 25 a time, in chunks of 100,000 items (bounded memory). Each of
    /// LoadConnections connections sends its own slice once, in order, so every item is written exactly once.
    /// </summary>
    private async Task LoadAsync(RunningTarget target, QueryRequests requests, int from, int to, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        const int Chunk = 100_000;
        for (var chunk = from; chunk < to; chunk += Chunk)
        {
            var end = Math.Min(to, chunk + Chunk);
            var per = (end - chunk + settings.LoadConnections - 1) / settings.LoadConnections;
            per = (per + QueryRequests.BatchSize - 1) / QueryRequests.BatchSize * QueryRequests.BatchSize;
            var slices = new List<Task<LoadResult>>();
            for (var start = chunk; start < end; start += per)
            {
                var set = requests.BatchWrites(start, Math.Min(end, start + per));
                slices.Add(LoadGenerator.RunAsync(target.Endpoint, set, 1, LoadLimit, set.Count, NothingUnprocessed, ct));
            }

            foreach (var slice in await Task.WhenAll(slices))
            {
                if (slice.Errors > 0)
                {
                    throw new InvalidOperationException($"{target.Name}: BatchWriteItem failed {slice.Errors} times: {slice.FirstError}");
                }
            }

            Console.Error.WriteLine($"   {target.Name}: {end:N0} items written");
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (_, description) = await TableSetup.OneRequestAsync(target.Endpoint, requests.DescribeTable(), ct);
        var load = new TableLoad(target.Name, to - from, seconds, ItemCount(description));
        Loads.Add(load);
        Console.Error.WriteLine($"   {target.Name}: {load.Items:N0} items in {load.Seconds:F1} s ({load.ItemsPerSecond:N0} items/s); ItemCount now {load.ItemCount}");
    }

    private static string ItemCount(string describeTable)
    {
        using var document = System.Text.Json.JsonDocument.Parse(describeTable);
        return document.RootElement.TryGetProperty("Table", out var table) && table.TryGetProperty("ItemCount", out var count)
            ? count.GetRawText()
            : "-";
    }

    private async Task<QueryMeasurement> MeasureAsync(
        RunningTarget target, RequestSet set, string operation, int connections, BodyCheck? check, CancellationToken ct)
    {
        if (settings.Warmup > TimeSpan.Zero)
        {
            await LoadGenerator.RunAsync(target.Endpoint, set, connections, settings.Warmup, settings.MaxRequests, check, ct);
        }

        var result = await LoadGenerator.RunAsync(target.Endpoint, set, connections, settings.Duration, settings.MaxRequests, check, ct);
        ct.ThrowIfCancellationRequested();
        var measured = new QueryMeasurement(target.Name, operation, connections, result.Requests, result.Errors, result.RequestsPerSecond,
            result.PercentileMilliseconds(50), result.PercentileMilliseconds(99), result.ClientCpuMicrosecondsPerRequest, result.FirstError);
        Console.Error.WriteLine(
            $"   {target.Name,-9} {operation,-32} x{connections,-3} {measured.RequestsPerSecond,9:F0} req/s  p50 {measured.P50Ms,7:F3} ms  p99 {measured.P99Ms,7:F3} ms  errors {measured.Errors}" +
            (measured.FirstError is null ? "" : $" (first: {TableSetup.Shorten(measured.FirstError)})"));
        return measured;
    }

    private static bool HasHundredItems(ReadOnlySpan<byte> body) => body.IndexOf("\"Count\":100"u8) >= 0;

    private static bool HasItems(ReadOnlySpan<byte> body) => body.IndexOf("\"Items\""u8) >= 0;

    private static bool NothingUnprocessed(ReadOnlySpan<byte> body) => body.IndexOf("\"UnprocessedItems\":{}"u8) >= 0;

    private static Task CreateTableAsync(IPEndPoint endpoint, QueryRequests requests, CancellationToken ct) =>
        TableSetup.CreateTableAsync(endpoint, requests.CreateTable(), requests.DescribeTable(), ct);
}
