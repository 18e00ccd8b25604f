using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HdrHistogram;

namespace Handshake.Bench.Reliability;

public sealed record MixedLoadOptions
{
    public required string Handshake { get; init; }

    public required string DataDirectory { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    public int Workers { get; init; } = 16;

    public int Partitions { get; init; } = 100;
}

/// <summary>One interval of the mixed load: what was done, how fast, what the server's memory was at its end.</summary>
public sealed record MixedLoadInterval(int Index, long Requests, double PerSecond, double P99Milliseconds, long ResidentBytes, long Errors);

/// <summary>
/// A long mixed load on a durable `handshake up`: PutItem, GetItem, Query and UpdateItem from concurrent clients, with
/// throughput, p99 and the server's resident memory per interval, and every non-200 counted as an error.
/// </summary>
public static class MixedLoad
{
    public static async Task<List<MixedLoadInterval>> RunAsync(MixedLoadOptions options, Action<MixedLoadInterval> report, CancellationToken cancellationToken)
    {
        using Process server = HandshakeUp.Start(options.Handshake, options.DataDirectory);
        try
        {
            Uri endpoint = await HandshakeUp.WaitUntilUpAsync(server, cancellationToken).ConfigureAwait(false);
            using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = options.Workers }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
            StoreHttp store = new(http);
            (int status, JsonDocument? created) = await store.CallAsync("CreateTable",
                "{\"TableName\":\"load\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
                cancellationToken).ConfigureAwait(false);
            created?.Dispose();

            List<MixedLoadInterval> intervals = [];
            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Interval current = new();
            Task[] workers = new Task[options.Workers];
            for (int w = 0; w < workers.Length; w++)
            {
                int seed = w;
                workers[w] = Task.Run(() => WorkerAsync(store, options.Partitions, seed, () => Volatile.Read(ref current), stop.Token), CancellationToken.None);
            }

            int count = (int)Math.Ceiling(options.Duration / options.Interval);
            for (int i = 1; i <= count; i++)
            {
                long started = Stopwatch.GetTimestamp();
                await Task.Delay(options.Interval, cancellationToken).ConfigureAwait(false);
                Interval finished = Interlocked.Exchange(ref current, new Interval());
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                LongHistogram latencies;
                lock (finished.Latencies) latencies = (LongHistogram)finished.Latencies.Copy();
                MixedLoadInterval result = new(i, Interlocked.Read(ref finished.Requests), Interlocked.Read(ref finished.Requests) / seconds,
                    latencies.TotalCount == 0 ? 0 : latencies.GetValueAtPercentile(99) / 1000.0, HandshakeUp.ResidentBytes(server.Id), Interlocked.Read(ref finished.Errors));
                intervals.Add(result);
                report(result);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            return intervals;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
    }

    private sealed class Interval
    {
        public readonly LongHistogram Latencies = new(60_000_000, 3);
        public long Requests;
        public long Errors;
    }

    private static async Task WorkerAsync(StoreHttp store, int partitions, int seed, Func<Interval> interval, CancellationToken cancellationToken)
    {
        Random random = new(seed);
        while (!cancellationToken.IsCancellationRequested)
        {
            string pk = "p" + random.Next(partitions).ToString(CultureInfo.InvariantCulture);
            string sk = random.Next(1000).ToString(CultureInfo.InvariantCulture);
            int roll = random.Next(100);
            (string operation, string body) = roll switch
            {
                < 30 => ("PutItem", $"{{\"TableName\":\"load\",\"Item\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}},\"v\":{{\"S\":\"{new string('v', 100)}\"}}}}}}"),
                < 60 => ("GetItem", $"{{\"TableName\":\"load\",\"Key\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}}}}}}"),
                < 75 => ("Query", $"{{\"TableName\":\"load\",\"KeyConditionExpression\":\"pk = :p AND sk BETWEEN :a AND :b\",\"ExpressionAttributeValues\":{{\":p\":{{\"S\":\"{pk}\"}},\":a\":{{\"N\":\"{sk}\"}},\":b\":{{\"N\":\"{sk}9\"}}}},\"Limit\":20}}"),
                _ => ("UpdateItem", $"{{\"TableName\":\"load\",\"Key\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}}}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{{\":one\":{{\"N\":\"1\"}}}}}}"),
            };
            long started = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                (int status, JsonDocument? answer) = await store.CallAsync(operation, body, cancellationToken).ConfigureAwait(false);
                answer?.Dispose();
                ok = status == 200;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                ok = false;
            }

            long microseconds = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            Interval target = interval();
            Interlocked.Increment(ref target.Requests);
            if (!ok) Interlocked.Increment(ref target.Errors);
            lock (target.Latencies) target.Latencies.RecordValue(Math.Min(microseconds, 60_000_000));
        }
    }
}
