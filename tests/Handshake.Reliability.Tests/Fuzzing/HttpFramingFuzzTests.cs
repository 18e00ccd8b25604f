using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Handshake.Reliability.Tests.Infrastructure;
using Handshake.Reliability.Tests.SigV4;
using Xunit.Abstractions;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The composed server (`up`'s one endpoint: the store's event loop, Kestrel behind it, the Lambda API) with a seeded
/// table and a Node.js echo function, shared by the framing fuzz's seeds.
/// </summary>
public sealed class FramingFuzzServer : IAsyncLifetime
{
    public const string Table = "seeded";
    public const int Items = 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-httpfuzz-").FullName;

    internal RunningServer Server { get; private set; } = null!;

    internal IPEndPoint EndPoint { get; private set; } = null!;

    internal string Authority { get; private set; } = "";

    internal List<BaseRequest> Mutated { get; } = [];

    internal List<BaseRequest> Valid { get; } = [];

    public async Task InitializeAsync()
    {
        Server = await StrictServer.StartWithEchoFunctionAsync(_directory, "exports.handler = async (event) => event;\n", strict: false);
        EndPoint = new IPEndPoint(IPAddress.Loopback, Server.Server.Port);
        Authority = "127.0.0.1:" + Server.Server.Port.ToString(CultureInfo.InvariantCulture);
        await Server.CreateTableAsync(Table);
        for (int i = 0; i < Items; i++)
        {
            await Server.Client.PutItemAsync(Table, new()
            {
                ["pk"] = new AttributeValue { S = "item-" + i },
                ["v"] = new AttributeValue { N = i.ToString(CultureInfo.InvariantCulture) },
            }).WaitAsync(Timeouts.Default);
        }

        // GetItem's exact answers, read once over the wire: a 2xx the fuzz sees must be one of these.
        for (int i = 0; i < 5; i++)
        {
            BaseRequest get = Dynamo("GetItem", $$$$"""{"TableName":"{{{{Table}}}}","Key":{"pk":{"S":"item-{{{{i}}}}"}}}""", new ExpectedAnswer(200, null));
            RawResponse answer = await SendOneAsync(get.Serialize());
            Assert.Equal(200, answer.Status);
            get = get with { Answer = new ExpectedAnswer(200, answer.Body) };
            // PutItem writes the item exactly as it is: a put that goes through changes nothing, a wrong one shows.
            BaseRequest put = Dynamo("PutItem", $$$$"""{"TableName":"{{{{Table}}}}","Item":{"pk":{"S":"item-{{{{i}}}}"},"v":{"N":"{{{{i}}}}"}}}""", new ExpectedAnswer(200, "{}"u8.ToArray()));
            Mutated.Add(get);
            Mutated.Add(put);
            Valid.Add(get);
            Valid.Add(put);
        }

        // The first invocation starts the function's environment (a cold start); the fuzz's own find it warm.
        // A mutation that breaks the Content-Length header's name (or ends the head early with a bare LF, which Kestrel
        // takes for a line's end) leaves a request without a body: the echo function then answers {}.
        ExpectedAnswer emptyEcho = new(200, "{}"u8.ToArray());
        BaseRequest echo = Invoke("echo", """{"n":1}""", "RequestResponse", new ExpectedAnswer(200, """{"n":1}"""u8.ToArray(), Alternative: emptyEcho));
        RawResponse first = await SendOneAsync(echo.Serialize());
        Assert.True(first.Status == 200 && first.Body.AsSpan().SequenceEqual("""{"n":1}"""u8), $"the echo function's first invocation: {first}");
        // A mutation that breaks the X-Amz-Invocation-Type header's name leaves a RequestResponse invocation: the echo.
        BaseRequest dryRun = Invoke("echo", """{"n":2}""", "DryRun", new ExpectedAnswer(204, [], Alternative: new ExpectedAnswer(200, """{"n":2}"""u8.ToArray(), Alternative: emptyEcho)));
        BaseRequest missing = Invoke("no-such-function", """{"n":3}""", null, new ExpectedAnswer(404, null, "ResourceNotFoundException"));
        foreach (BaseRequest request in new[] { dryRun, missing })
        {
            RawResponse answer = await SendOneAsync(request.Serialize());
            Assert.True(request.Answer.Matches(answer), $"{request.Name}: {answer}");
        }

        Mutated.AddRange([echo, dryRun, dryRun, missing, missing]);
        Valid.AddRange([dryRun, missing]);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private BaseRequest Dynamo(string operation, string body, ExpectedAnswer answer) => new(
        operation,
        "POST",
        "/",
        [
            ("Host", Authority),
            ("X-Amz-Target", "DynamoDB_20120810." + operation),
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Date", "20261129T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=httpfuzz/20261129/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00"),
        ],
        Encoding.UTF8.GetBytes(body),
        answer);

    private BaseRequest Invoke(string function, string payload, string? invocationType, ExpectedAnswer answer)
    {
        List<(string, string)> headers =
        [
            ("Host", Authority),
            ("Content-Type", "application/json"),
            ("X-Amz-Date", "20261129T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=httpfuzz/20261129/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"),
        ];
        if (invocationType is not null)
        {
            headers.Add(("X-Amz-Invocation-Type", invocationType));
        }

        return new("Invoke " + function + " " + (invocationType ?? "default"), "POST", "/2015-03-31/functions/" + function + "/invocations", headers,
            Encoding.UTF8.GetBytes(payload), answer);
    }

    /// <summary>One request on a fresh connection; its one answer.</summary>
    internal async Task<RawResponse> SendOneAsync(byte[] request)
    {
        ExchangeResult result = await RawHttpExchange.RunAsync(EndPoint, request, [], 0, responses => responses.Any(r => r.Status >= 200), null, TimeSpan.Zero,
            TimeSpan.FromSeconds(20));
        Assert.True(result.FramingError is null && !result.TimedOut, $"no answer ({result.FramingError}, timed out: {result.TimedOut}): {HttpFramingCases.Printable(result.Raw, 500)}");
        return result.Responses.Single(r => r.Status >= 200);
    }

    /// <summary>Everything a request could have changed in the store: the tables, and the seeded table's items and counters.</summary>
    internal async Task<string> SnapshotAsync()
    {
        ListTablesResponse tables = await Server.Client.ListTablesAsync().WaitAsync(Timeouts.Default);
        ScanResponse scan = await Server.Client.ScanAsync(new ScanRequest { TableName = Table, ConsistentRead = true }).WaitAsync(Timeouts.Default);
        DescribeTableResponse table = await Server.Client.DescribeTableAsync(Table).WaitAsync(Timeouts.Default);
        IEnumerable<string> items = scan.Items
            .Select(item => string.Join(",", item.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value.S}{a.Value.N}")))
            .Order(StringComparer.Ordinal);
        return $"tables={string.Join(",", tables.TableNames)}; count={table.Table.ItemCount}; size={table.Table.TableSizeBytes}; items={string.Join(";", items)}";
    }
}

/// <summary>
/// A seeded, bounded fuzz of the HTTP/1.1 framing on the shared endpoint (`up`'s port: the store's event loop answers
/// plain requests, Kestrel the rest, the Lambda Invoke API on both): valid DynamoDB GetItem/PutItem and Lambda Invoke
/// requests, mutated at the byte and header level (<see cref="HttpFramingCases"/>), sent over raw TCP, alone or
/// pipelined with a valid request, whole or in small writes, then half-closed (see <see cref="RunAsync"/>). For every
/// case: whatever the server writes parses as well-formed HTTP/1.1 responses; no 5xx; a DynamoDB answer carries
/// DynamoDB's error shape and the CRC32 of its exact body, a Lambda error Lambda's; every 2xx is the answer of a request
/// the case sent (no desync); a valid request pipelined before a mutated one, or behind one whose framing is intact, is
/// answered exactly, unless the server said Connection: close; a request RFC 9112 has refused with a 400 gets no 2xx;
/// the exchange ends within seconds (5 s, half-close included). After every batch the server answers on a
/// fresh connection and the seeded table reads exactly as before. Replay one case with HTTPFUZZ_REPLAY=seed:index; run
/// more cases per seed with HTTPFUZZ_CASES=N.
/// </summary>
public sealed class HttpFramingFuzzTests(FramingFuzzServer fixture, ITestOutputHelper output) : IClassFixture<FramingFuzzServer>
{
    private const int CasesPerSeed = 1000;
    private const int BatchSize = 100;
    private const int Parallelism = 4;
    private static readonly TimeSpan CaseDeadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BatchDeadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(20261129)]
    [InlineData(11292026)]
    [InlineData(5051129)]
    public async Task MutatedFramingGetsWellFormedAnswersNoDesyncNoHangAndChangesNothing(int seed)
    {
        HttpFramingCases generator = new(fixture.Mutated, fixture.Valid, fixture.Authority);
        string before = await fixture.SnapshotAsync();
        // HTTPFUZZ_CASES=N runs N cases per seed instead (a longer exploratory run).
        int cases = int.TryParse(Environment.GetEnvironmentVariable("HTTPFUZZ_CASES"), CultureInfo.InvariantCulture, out int asked) && asked > 0 ? asked : CasesPerSeed;
        int[] indexes = Enumerable.Range(0, cases).ToArray();
        if (Environment.GetEnvironmentVariable("HTTPFUZZ_REPLAY") is { Length: > 0 } replay)
        {
            string[] parts = replay.Split(':');
            if (int.Parse(parts[0], CultureInfo.InvariantCulture) != seed)
            {
                return;
            }

            indexes = [int.Parse(parts[1], CultureInfo.InvariantCulture)];
        }

        Stopwatch clock = Stopwatch.StartNew();
        string? logFile = Environment.GetEnvironmentVariable("HTTPFUZZ_LOG");
        ConcurrentBag<string>? log = logFile is { Length: > 0 } ? [] : null;
        ConcurrentBag<string> failures = [];
        ConcurrentDictionary<string, int> statuses = new();
        int bare = 0;
        foreach (int[] batch in indexes.Chunk(BatchSize))
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (index, _) =>
            {
                FramingCase framing = generator.Generate(seed, index);
                ExchangeResult result = await RunAsync(framing);
                List<string> problems = Check(framing, result, ref bare);
                foreach (RawResponse response in result.Responses)
                {
                    statuses.AddOrUpdate(response.Status.ToString(CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                }

                if (log is not null)
                {
                    // HTTPFUZZ_LOG=FILE: one line a case, what was sent and what came back (for triage, not kept).
                    log.Add($"{seed}:{index}\t{framing.Mode}\t{framing.Mutation}\t{string.Join(",", result.Responses.Select(r => r.Status + (r.SaysClose ? "c" : "") + (r.Body.Length == 0 ? "e" : "")))}\t{(result.Closed ? "closed" : result.TimedOut ? "timeout" : "open")}\t{result.Elapsed.TotalMilliseconds:F0}");
                }

                if (problems.Count > 0)
                {
                    failures.Add($"{framing.Describe()}: {string.Join("; ", problems)}\n    replay: HTTPFUZZ_REPLAY={seed}:{index}\n    sent: "
                        + HttpFramingCases.Printable(framing.Bytes, 600) + "\n    got (" + (result.Closed ? "closed" : result.TimedOut ? "timed out" : "open")
                        + $", {result.Elapsed.TotalMilliseconds:F0} ms): " + HttpFramingCases.Printable(result.Raw, 800));
                }
            }).WaitAsync(BatchDeadline);

            // After every batch: a valid request on a fresh connection is answered, and the function is still there.
            RawResponse get = await fixture.SendOneAsync(fixture.Valid[0].Serialize());
            Assert.True(fixture.Valid[0].Answer.Matches(get), $"seed {seed}, after the batch up to case {batch[^1]}: GetItem answered {get}");
            BaseRequest dryRun = fixture.Valid.First(r => r.Name.Contains("DryRun", StringComparison.Ordinal));
            RawResponse invoke = await fixture.SendOneAsync(dryRun.Serialize());
            Assert.True(dryRun.Answer.Matches(invoke), $"seed {seed}, after the batch up to case {batch[^1]}: DryRun answered {invoke}");
            Assert.Equal(before, await fixture.SnapshotAsync());
        }

        if (log is not null)
        {
            await File.AppendAllLinesAsync(logFile!, log.Order(StringComparer.Ordinal));
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} failing cases; the first ones:\n" + string.Join("\n", failures.OrderBy(f => f, StringComparer.Ordinal).Take(40)));

        output.WriteLine($"seed {seed}: {indexes.Length} cases in {clock.Elapsed.TotalSeconds:F1} s; answers by status: "
            + string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} x{s.Value}"))
            + $"; bare 4xx with Connection: close (Kestrel's own refusals): {bare}");
    }

    /// <summary>
    /// Sends the case and half-closes: at once after a truncated request; otherwise once the answers a check needs have
    /// come (a valid request's), and the others have come or <see cref="Grace"/> has passed (a request the server still
    /// waits on, a body declared longer than sent, is then cut off by the half-close).
    /// </summary>
    private Task<ExchangeResult> RunAsync(FramingCase framing)
    {
        static Func<List<RawResponse>, bool> Answers(int count) => responses => responses.Count(r => r.Status >= 200) >= count || responses.Any(r => r.SaysClose);
        (Func<List<RawResponse>, bool>? required, Func<List<RawResponse>, bool>? wanted) = framing.Mode switch
        {
            CaseMode.Alone when framing.Mutation.Contains(": truncated at ", StringComparison.Ordinal) => (null, null),
            CaseMode.Alone => (null, Answers(1)),
            CaseMode.ValidThenInvalid => (Answers(1), Answers(2)),
            _ when framing.FramingIntact => (Answers(2), null),
            _ => (null, Answers(2)),
        };
        return RawHttpExchange.RunAsync(fixture.EndPoint, framing.Bytes, framing.Splits, framing.SplitDelay, required, wanted, Grace, CaseDeadline, framing.HeadFirst);
    }

    /// <summary>Everything wrong with what the server did for one case (empty when nothing).</summary>
    private static List<string> Check(FramingCase framing, ExchangeResult result, ref int bare)
    {
        List<string> problems = [];
        if (result.TimedOut)
        {
            problems.Add($"the exchange did not end within {CaseDeadline.TotalSeconds} s (a hang: no answer awaited, or no close after the half-close)");
        }

        if (result.FramingError is { } error)
        {
            problems.Add("not well-formed HTTP/1.1: " + error);
        }

        List<RawResponse> finals = result.Responses.Where(r => r.Status >= 200).ToList();
        if (finals.Count > 4)
        {
            problems.Add($"{finals.Count} answers to at most 2 requests");
        }

        for (int i = 0; i < result.Responses.Count; i++)
        {
            RawResponse response = result.Responses[i];
            if (i > 0 && result.Responses[i - 1].SaysClose)
            {
                problems.Add("an answer after Connection: close");
            }

            if (Shape(framing, response, ref bare) is { } problem)
            {
                problems.Add($"answer {i + 1}: {problem}: {response}");
            }
        }

        if (framing.Mode == CaseMode.ValidThenInvalid && !(finals.Count > 0 && framing.ValidAnswer!.Matches(finals[0])))
        {
            problems.Add($"the valid request sent first was not answered first with {framing.ValidAnswer}");
        }

        if (framing.Mode == CaseMode.InvalidThenValid && framing.FramingIntact && finals.Count > 0 && !finals[0].SaysClose
            && !(finals.Count > 1 && framing.ValidAnswer!.Matches(finals[1])))
        {
            problems.Add($"the valid request behind a request with intact framing was not answered with {framing.ValidAnswer}, and the server did not say Connection: close");
        }

        // The mutated request's own answer, when it came: first, or behind the valid request's.
        int mutatedAt = framing.Mode == CaseMode.ValidThenInvalid ? 1 : 0;
        if (framing.MustRefuse && finals.Count > mutatedAt && finals[mutatedAt].Status < 300)
        {
            problems.Add("a request HTTP/1.1 has refused with a 400 (RFC 9112: Host, whitespace in a header name) was answered with a 2xx");
        }

        return problems;
    }

    /// <summary>Null when one answer is of a shape the server may send; otherwise what is wrong with it.</summary>
    private static string? Shape(FramingCase framing, RawResponse response, ref int bare)
    {
        if (response.Status == 505 && response.Body.Length == 0 && response.SaysClose)
        {
            // Kestrel's refusal of an HTTP version other than 1.0 and 1.1 (RFC 9110's status for it), then a close: see
            // the README's known limits. Every other 5xx is a failure.
            Interlocked.Increment(ref bare);
            return null;
        }

        if (response.Status >= 500)
        {
            return "a 5xx";
        }

        if (response.Status < 200)
        {
            return response.Status == 100 ? null : "an interim answer other than 100 Continue";
        }

        string? crc = response.Header("x-amz-crc32");
        if (crc is not null && !framing.HeadFirst && crc != Crc32.HashToUInt32(response.Body).ToString(CultureInfo.InvariantCulture))
        {
            return $"x-amz-crc32 {crc} is not the CRC32 of the body ({Crc32.HashToUInt32(response.Body)})";
        }

        string contentType = response.Header("Content-Type") ?? "";
        bool dynamo = contentType.StartsWith("application/x-amz-json-1.0", StringComparison.Ordinal);
        if ((dynamo || response.Body.AsSpan().SequenceEqual("<UnknownOperationException/>\n"u8)) && crc is null)
        {
            return "a DynamoDB answer without x-amz-crc32";
        }

        if (response.Status < 300)
        {
            return framing.MutatedAnswer.Matches(response) || framing.ValidAnswer?.Matches(response) == true || framing.OtherRoute
                ? null
                : "a 2xx that is not the answer of any request sent (a desync?)";
        }

        if (response.Status >= 500 || response.Status < 400)
        {
            return "neither a 2xx nor a 4xx";
        }

        if (framing.HeadFirst && (crc is not null || response.Header("x-amzn-ErrorType") is not null))
        {
            return null; // the answer to a HEAD: a GET's head, without its body
        }

        if (response.Header("x-amzn-ErrorType") is { } errorType)
        {
            return LambdaError(response, errorType);
        }

        if (dynamo)
        {
            return DynamoErrorShape.Problem(response.Body, out _);
        }

        if (response.Status == 404 && response.Body.AsSpan().SequenceEqual("<UnknownOperationException/>\n"u8))
        {
            return null;
        }

        if (response.Body.Length == 0 && response.SaysClose)
        {
            // Kestrel's own refusal of a request it cannot parse: a bare 4xx, then the connection closes (README, known limits).
            Interlocked.Increment(ref bare);
            return null;
        }

        return "a 4xx in neither DynamoDB's nor Lambda's shape";
    }

    private static string? LambdaError(RawResponse response, string errorType)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(response.Body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "a Lambda error that is not a JSON object";
            }

            bool message = (root.TryGetProperty("message", out JsonElement m) || root.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String;
            bool type = root.TryGetProperty("Type", out JsonElement t) && t.ValueKind == JsonValueKind.String;
            return !message ? "a Lambda error without a message"
                : !type && errorType != "ValidationException" ? "a Lambda error without Type"
                : null;
        }
        catch (JsonException)
        {
            return "a Lambda error that is not JSON";
        }
    }
}
