using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace Handshake.Bench.Reliability;

public sealed record MixedLoadOptions
{
    public required string Handshake { get; init; }

    public required string DataDirectory { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Clients doing the store mix (PutItem 30 %, GetItem 30 %, Query 15 %, UpdateItem 25 %).</summary>
    public int Workers { get; init; } = 14;

    /// <summary>Clients invoking the function back to back; each holds at most one environment busy.</summary>
    public int InvokeWorkers { get; init; } = 2;

    public int Partitions { get; init; } = 100;

    /// <summary>A bound on each client's requests besides the duration, so that no loop can run away.</summary>
    public long MaxRequestsPerWorker { get; init; } = 100_000_000;

    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>
/// A long mixed load on a durable `handshake up`: PutItem, GetItem, Query and UpdateItem from concurrent clients, and
/// Invoke of a Node.js function declared in the server's handshake.json, with throughput and p99 per operation and
/// the server's resident memory per interval. Any non-200, a function error or a payload that does not come back
/// unchanged is an error.
/// </summary>
public static class MixedLoad
{
    public const string FunctionName = "echo";
    public static readonly IReadOnlyList<string> Operations = ["PutItem", "GetItem", "Query", "UpdateItem", "Invoke"];
    private const int InvokeIndex = 4;
    private const int MaxErrorsKept = 10;

    public static async Task<MixedLoadResult> RunAsync(MixedLoadOptions options, Action<MixedLoadInterval> report, CancellationToken cancellationToken)
    {
        WriteProject(options.DataDirectory);
        using Process server = HandshakeUp.Start(options.Handshake, options.DataDirectory);
        try
        {
            Uri endpoint = await HandshakeUp.WaitUntilUpAsync(server, cancellationToken).ConfigureAwait(false);
            int clients = options.Workers + options.InvokeWorkers;
            using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
            StoreHttp store = new(http);
            using (await store.CallOkAsync("CreateTable",
                "{\"TableName\":\"load\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
                cancellationToken).ConfigureAwait(false))
            {
            }

            List<string> errors = [];
            List<MixedLoadInterval> intervals = [];
            using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Interval current = new();
            Func<Interval> target = () => Volatile.Read(ref current);
            Task[] workers = new Task[clients];
            for (int w = 0; w < workers.Length; w++)
            {
                int seed = w;
                workers[w] = w < options.Workers
                    ? Task.Run(() => StoreWorkerAsync(store, options, seed, target, errors, stop.Token), CancellationToken.None)
                    : Task.Run(() => InvokeWorkerAsync(http, options, seed, target, errors, stop.Token), CancellationToken.None);
            }

            int count = (int)Math.Ceiling(options.Duration / options.Interval);
            long started = Stopwatch.GetTimestamp();
            for (int i = 1; i <= count; i++)
            {
                await Task.Delay(options.Interval, cancellationToken).ConfigureAwait(false);
                Interval finished = Interlocked.Exchange(ref current, new Interval());
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                started = Stopwatch.GetTimestamp();
                MixedLoadInterval result = new(i, seconds, finished.Figures(seconds), HandshakeUp.Memory(server.Id), StoreFileBytes(options.DataDirectory));
                intervals.Add(result);
                report(result);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
            lock (errors) return new MixedLoadResult(intervals, [.. errors]);
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

    /// <summary>The function under load: Node.js, answering with its event (the samples' noop), in the working directory.</summary>
    private static void WriteProject(string dataDirectory)
    {
        string code = Path.Combine(dataDirectory, "functions", FunctionName);
        Directory.CreateDirectory(code);
        File.WriteAllText(Path.Combine(code, "index.js"), "'use strict';\nexports.handler = async (event) => event;\n");
        File.WriteAllText(Path.Combine(dataDirectory, "handshake.json"),
            $"{{\"functions\":{{\"{FunctionName}\":{{\"runtime\":\"nodejs20.x\",\"handler\":\"index.handler\",\"code\":\"functions/{FunctionName}\",\"timeout\":10}}}}}}");
    }

    /// <summary>The store's files (handshake.db*) at the top of the data directory.</summary>
    private static long StoreFileBytes(string dataDirectory)
    {
        long bytes = 0;
        foreach (FileInfo file in new DirectoryInfo(dataDirectory).EnumerateFiles("*.db*"))
        {
            try
            {
                bytes += file.Length;
            }
            catch (FileNotFoundException)
            {
                // A -shm or -journal file that went away between listing and reading.
            }
        }

        return bytes;
    }

    private sealed class Interval
    {
        private readonly LongHistogram[] _latencies = [.. Operations.Select(_ => new LongHistogram(60_000_000, 3))];
        private readonly long[] _requests = new long[Operations.Count];
        private readonly long[] _errors = new long[Operations.Count];

        public void Record(int operation, long microseconds, bool ok)
        {
            Interlocked.Increment(ref _requests[operation]);
            if (!ok) Interlocked.Increment(ref _errors[operation]);
            LongHistogram histogram = _latencies[operation];
            lock (histogram) histogram.RecordValue(Math.Clamp(microseconds, 0, 60_000_000));
        }

        public List<OperationFigures> Figures(double seconds)
        {
            List<OperationFigures> figures = [];
            for (int i = 0; i < Operations.Count; i++)
            {
                LongHistogram histogram = _latencies[i];
                double p99;
                lock (histogram) p99 = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99) / 1000.0;
                long requests = Interlocked.Read(ref _requests[i]);
                figures.Add(new OperationFigures(Operations[i], requests, requests / seconds, p99, Interlocked.Read(ref _errors[i])));
            }

            return figures;
        }
    }

    private static void KeepError(List<string> errors, string error)
    {
        lock (errors)
        {
            if (errors.Count < MaxErrorsKept) errors.Add(error);
        }
    }

    private static async Task StoreWorkerAsync(StoreHttp store, MixedLoadOptions options, int seed, Func<Interval> interval, List<string> errors, CancellationToken cancellationToken)
    {
        Random random = new(seed);
        for (long n = 0; n < options.MaxRequestsPerWorker && !cancellationToken.IsCancellationRequested; n++)
        {
            string pk = "p" + random.Next(options.Partitions).ToString(CultureInfo.InvariantCulture);
            string sk = random.Next(1000).ToString(CultureInfo.InvariantCulture);
            int roll = random.Next(100);
            (int operation, string body) = roll switch
            {
                < 30 => (0, $"{{\"TableName\":\"load\",\"Item\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}},\"v\":{{\"S\":\"{new string('v', 100)}\"}}}}}}"),
                < 60 => (1, $"{{\"TableName\":\"load\",\"Key\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}}}}}}"),
                < 75 => (2, $"{{\"TableName\":\"load\",\"KeyConditionExpression\":\"pk = :p AND sk BETWEEN :a AND :b\",\"ExpressionAttributeValues\":{{\":p\":{{\"S\":\"{pk}\"}},\":a\":{{\"N\":\"{sk}\"}},\":b\":{{\"N\":\"{sk}9\"}}}},\"Limit\":20}}"),
                _ => (3, $"{{\"TableName\":\"load\",\"Key\":{{\"pk\":{{\"S\":\"{pk}\"}},\"sk\":{{\"N\":\"{sk}\"}}}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{{\":one\":{{\"N\":\"1\"}}}}}}"),
            };
            long started = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                (int status, JsonDocument? answer) = await store.CallAsync(Operations[operation], body, cancellationToken).ConfigureAwait(false);
                error = status == 200 ? null : $"{Operations[operation]}: {status} {answer?.RootElement.GetRawText()}";
                answer?.Dispose();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                error = $"{Operations[operation]}: {e.GetType().Name}: {e.Message}";
            }

            interval().Record(operation, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, error is null);
            if (error is not null) KeepError(errors, error);
        }
    }

    private static async Task InvokeWorkerAsync(HttpClient http, MixedLoadOptions options, int seed, Func<Interval> interval, List<string> errors, CancellationToken cancellationToken)
    {
        MediaTypeHeaderValue json = new("application/json");
        for (long n = 0; n < options.MaxRequestsPerWorker && !cancellationToken.IsCancellationRequested; n++)
        {
            string payload = $"{{\"worker\":{seed},\"n\":{n}}}";
            long started = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                using HttpRequestMessage request = new(HttpMethod.Post, $"/2015-03-31/functions/{FunctionName}/invocations");
                request.Headers.TryAddWithoutValidation("Authorization",
                    "AWS4-HMAC-SHA256 Credential=reliability/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0");
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload)) { Headers = { ContentType = json } };
                using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                error = (int)response.StatusCode != 200 ? $"Invoke: {(int)response.StatusCode} {body}"
                    : response.Headers.TryGetValues("X-Amz-Function-Error", out IEnumerable<string>? functionError) ? $"Invoke: function error {string.Join(',', functionError)}: {body}"
                    : !SameJson(body, payload) ? $"Invoke: sent {payload}, got {body}"
                    : null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                error = $"Invoke: {e.GetType().Name}: {e.Message}";
            }

            interval().Record(InvokeIndex, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, error is null);
            if (error is not null) KeepError(errors, error);
        }
    }

    // The Node runtime serializes the event again, so the bytes may differ in spacing; the values may not.
    private static bool SameJson(string answer, string sent)
    {
        try
        {
            using JsonDocument a = JsonDocument.Parse(answer);
            using JsonDocument b = JsonDocument.Parse(sent);
            return JsonElement.DeepEquals(a.RootElement, b.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
