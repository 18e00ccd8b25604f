using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Lambda.Tests;

/// <summary>
/// One valid request the fuzz starts from: <c>{fn}</c> in <see cref="Path"/> is the function name a path mutation
/// replaces; <see cref="Body"/> is JSON text (null: none).
/// </summary>
internal sealed record FuzzSeed(HttpMethod Method, string Path, string Query = "", string? Body = null, params (string Name, string Value)[] Headers)
{
    public const string Function = "{fn}";
}

/// <summary>A request as sent: the path and query raw (percent-encoding kept), the body as bytes (maybe not UTF-8).</summary>
internal sealed record FuzzRequest(HttpMethod Method, string PathAndQuery, byte[]? Body, List<(string Name, string Value)> Headers, string Mutation)
{
    public override string ToString()
    {
        string body = Body is null ? "(none)" : Encoding.UTF8.GetString(Body);
        return $"{Method} {Truncate(PathAndQuery, 300)} [{Mutation}] headers={string.Join(";", Headers.Select(h => h.Name + "=" + Truncate(h.Value, 60)))} body={Truncate(body, 300)}";
    }

    public static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + $"...({text.Length} chars)";
}

/// <summary>
/// Structural mutations of valid Lambda and CloudWatch Logs requests, from a fixed seed (the same requests every run):
/// a member dropped, given a value of another JSON type or an odd one (huge, negative, fractional, very long, non-ASCII,
/// an escaped lone surrogate, invalid UTF-8, deep nesting), an unknown member added; the body cut short, a byte
/// flipped, not an object, trailing garbage; a function name or ARN replaced in the path; odd query parameters; odd
/// headers. Used by <see cref="ControlPlaneFuzzTests"/> and <see cref="LogsApiFuzzTests"/>.
/// </summary>
internal sealed class ApiFuzzer(int seed)
{
    /// <summary>No request may take longer: a hang is a finding, not a stuck test run.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private const string Placeholder = "__fuzz_raw_";


    private readonly Random _random = new(seed);
    private readonly List<byte[]> _raw = [];

    /// <summary>JSON values (raw text) a member is replaced with: every JSON type and the odd values of each.</summary>
    private static readonly byte[][] Values =
    [
        .. new[]
        {
            "null", "true", "false", "0", "-1", "1", "1.5", "-0", "1e2", "1E400", "-1E400", "2147483648", "-2147483649",
            "9223372036854775808", "99999999999999999999999999999", "0.000000000000000000001", "\"\"", "\" \"", "\"x\"",
            "\"$LATEST\"", "\"ALL\"", "\"-1\"", "\"true\"", "\"1\"", "\"\\u00e9t\\u00e9 \\u4e2d\\u6587 \\ud83d\\ude00\"",
            "\"\\ud800\"", "\"\\udfff x\"", "\"a\\u0000b\"", "\"line\\nbreak\"", "\"arn:aws:lambda:us-east-1:000000000000:function:fuzz:1:2\"",
            "\"arn:aws:iam::000000000000:role/x\"", "\"*\"", "\"%2F..%2F\"", "[]", "[1]", "[\"a\",null,2]", "[[[]]]", "{}",
            "{\"a\":1}", "{\"Variables\":{\"K\":\"v\"}}", "{\"\":\"\"}",
            "\"" + new string('a', 70) + "\"", "\"" + new string('b', 300) + "\"", "\"" + new string('c', 5000) + "\"",
            new string('[', 100) + new string(']', 100), new string('[', 70) + "1" + new string(']', 70),
        }.Select(Encoding.UTF8.GetBytes),
        // Invalid UTF-8 inside a JSON string: a lone continuation byte, a cut-off sequence, an overlong encoding, 0xFF.
        [(byte)'"', 0x80, (byte)'"'],
        [(byte)'"', (byte)'a', 0xC3, (byte)'"'],
        [(byte)'"', 0xC0, 0xAF, (byte)'"'],
        [(byte)'"', 0xFF, 0xFE, (byte)'"'],
        [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'],
    ];

    /// <summary>Whole bodies that replace a valid one.</summary>
    private static readonly byte[][] Bodies =
    [
        .. new[]
        {
            "", " ", "null", "[]", "[{}]", "\"text\"", "123", "true", "{", "}", "{\"", "{\"a\"}", "{\"a\":}", "{,}", "{\"a\":1,}",
            "{\"a\":1}}", "{}x", "{} {}", "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":.5}",
            "{\"a\":1 /* c */}", "\uFEFF{}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\t\"}",
            new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":{", 200)) + new string('}', 201),
        }.Select(Encoding.UTF8.GetBytes),
        [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00],
        [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],
        [0x00, 0x00, 0x00],
    ];

    /// <summary>What replaces a function name in a path (already percent-encoded as a client would send it). A NUL is
    /// not among them: Kestrel refuses it with its bare 400 before any route sees it (README, known limits).</summary>
    private static readonly string[] Names =
    [
        "", "fuzz%20", "%20", "{encoded}", "a%2Fb", "%2F", "%2E%2E", "..", ".", "fuzz%3A", "fuzz%3A%24LATEST", "fuzz:$LATEST", "fuzz:1",
        "fuzz:live", "fuzz:", "fuzz::", "fuzz:1:2", "fuzz:%C3%A9", "%C3%A9t%C3%A9", "%E4%B8%AD", "%F0%9F%98%80", "%FF%FE", "%C3",
        "%ED%A0%80", "fuzz%2500", "fuzz*", "fuzz%22", "fuzz%27", "%3Cscript%3E", new string('n', 64), new string('n', 65),
        new string('n', 141), new string('n', 300), new string('n', 3000),
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz",
        "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afuzz",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz:$LATEST",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz:1",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz:",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz::",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz:a:b",
        "arn:aws:lambda:us-east-1:000000000000:function:fuzz:" + new string('q', 200),
        "arn:aws:lambda:us-east-1:000000000000:function:",
        "arn:aws:lambda:us-east-1:000000000000:fuzz",
        "arn:aws:lambda:eu-west-1:000000000000:function:fuzz",
        "arn:aws:lambda:us-east-1:111111111111:function:fuzz",
        "arn:aws:lambda:::function:fuzz",
        "arn:aws-cn:lambda:cn-north-1:000000000000:function:fuzz",
        "arn:aws:lambda:us-east-1:000000000000:layer:fuzz:1",
        "arn:aws:s3:::bucket",
        "000000000000:fuzz", "000000000000:function:fuzz", "us-east-1:000000000000:function:fuzz", "function:fuzz",
        "arn", "arn:", ":", "::::::", "fuzz/extra",
    ];

    /// <summary>Query parameters the operations take, with odd values; some are added beside the seed's.</summary>
    private static readonly (string Name, string[] Values)[] Queries =
    [
        ("Qualifier", ["", "$LATEST", "%24LATEST", "1", "0", "-1", "99999999999999999999", "live", "missing", "a%2Fb", "%C3%A9", "%FF", "x%20y", new string('q', 129), new string('q', 2000), "1&Qualifier=2"]),
        ("MaxItems", ["", "0", "-1", "1", "50", "51", "10000", "10001", "2147483648", "99999999999999999999", "1.5", "1e3", "abc", "%FF", "+1", "%201", "1&MaxItems=2"]),
        ("Marker", ["", "x", "0", "-1", "%FF%FE", "AAAA", "eyJ4IjoxfQ==", "%3D%3D%3D", new string('m', 3000), "1&Marker=2"]),
        ("FunctionVersion", ["ALL", "all", "", "1", "x"]),
        ("MasterRegion", ["ALL", "us-east-1", "", "x"]),
        ("FunctionName", ["fuzz", "", "%FF", new string('n', 200), "arn:aws:lambda:us-east-1:000000000000:function:fuzz:1"]),
        ("EventSourceArn", ["", "x", "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1", "%FF"]),
        ("tagKeys", ["", "a", "%FF", new string('k', 200)]),
        ("RevisionId", ["", "x", "00000000-0000-0000-0000-000000000000"]),
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json; charset=iso-8859-1",
        "application/octet-stream", "multipart/form-data; boundary=x", "garbage", "application/", ";;;", "application/xml",
    ];

    /// <summary>Invoke's headers with odd values (the function the Invoke seeds name answers any event at once).</summary>
    private static readonly (string Name, string[] Values)[] InvokeHeaders =
    [
        ("X-Amz-Invocation-Type", ["", "Event", "DryRun", "RequestResponse", "dryrun", "EVENT", "DryRun ", "Event,DryRun", "Sometimes", "%FF", new string('t', 300)]),
        ("X-Amz-Log-Type", ["", "None", "Tail", "tail", "TAIL", "X", "Tail,None"]),
        ("X-Amz-Client-Context", ["", "e30=", "e30", "W10=", "bnVsbA==", "%%%not base64", "====", "AAAA", "/w==", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"custom\":{\"a\":1}}")),
            new string('A', 3584), Convert.ToBase64String(new byte[2000]), "e30=e30="]),
    ];

    public FuzzRequest Next(FuzzSeed seed, string function, bool invoke)
    {
        List<string> mutations = [];
        string name = function;
        string query = seed.Query;
        byte[]? body = seed.Body is null ? null : Encoding.UTF8.GetBytes(seed.Body);
        List<(string, string)> headers = [.. seed.Headers];
        int count = _random.Next(10) == 0 ? 0 : _random.Next(8) == 0 ? 2 : 1;
        for (int i = 0; i < count; i++)
        {
            int kind = _random.Next(100);
            if (kind < 45 && body is not null)
            {
                body = kind < 30 && TryStructural(body, mutations) is { } mutated ? mutated : Textual(body, mutations);
            }
            else if (kind < 60 && seed.Path.Contains(FuzzSeed.Function, StringComparison.Ordinal))
            {
                // "fuzz" in a name stands for the seed's own function; {encoded} is its name with the first letter percent-encoded.
                string picked = Pick(Names);
                name = picked == "{encoded}" ? $"%{(int)function[0]:X2}{function[1..]}" : picked.Replace("fuzz", function, StringComparison.Ordinal);
                mutations.Add("name=" + FuzzRequest.Truncate(name, 40));
            }
            else if (kind < 80)
            {
                (string parameter, string[] values) = Pick(Queries);
                string value = Pick(values);
                query = query.Length == 0 ? $"?{parameter}={value}" : $"{query}&{parameter}={value}";
                mutations.Add($"query {parameter}={FuzzRequest.Truncate(value, 40)}");
            }
            else if (kind < 90 || !invoke)
            {
                headers.RemoveAll(h => h.Item1 == "Content-Type");
                string contentType = _random.Next(4) == 0 ? "" : Pick(ContentTypes);
                if (contentType.Length > 0)
                {
                    headers.Add(("Content-Type", contentType));
                }

                mutations.Add("content-type=" + contentType);
            }
            else
            {
                (string header, string[] values) = Pick(InvokeHeaders);
                string value = Pick(values);
                headers.RemoveAll(h => h.Item1 == header);
                headers.Add((header, value));
                mutations.Add($"{header}={FuzzRequest.Truncate(value, 40)}");
            }
        }

        return new FuzzRequest(seed.Method, seed.Path.Replace(FuzzSeed.Function, name, StringComparison.Ordinal) + query, body, headers,
            mutations.Count == 0 ? "valid" : string.Join(", ", mutations));
    }

    /// <summary>A Logs request: the same body and content-type mutations, or the operation's target changed.</summary>
    public FuzzRequest NextLogs(string operation, string body)
    {
        FuzzSeed seed = new(HttpMethod.Post, "/", Body: body, Headers: ("X-Amz-Target", "Logs_20140328." + operation));
        // The query is not the Logs API's: what a mutation put there is dropped.
        FuzzRequest request = Next(seed, "", invoke: false) with { PathAndQuery = "/" };
        if (_random.Next(20) == 0)
        {
            string target = Pick(["Logs_20140328.", "Logs_20140328.Nope", "Logs_20140328." + operation.ToLowerInvariant(), "Logs_20140328." + operation + " ",
                "Logs_20140328.." + operation, "Logs_20140328.%FF", "Logs_20140328." + new string('x', 500)]);
            request.Headers.RemoveAll(h => h.Name == "X-Amz-Target");
            request.Headers.Add(("X-Amz-Target", target));
            return request with { Mutation = request.Mutation + ", target=" + FuzzRequest.Truncate(target, 40) };
        }

        return request;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A member dropped, replaced or given an unknown sibling, anywhere in the document.</summary>
    private byte[]? TryStructural(byte[] body, List<string> mutations)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        List<(JsonNode Parent, string? Key, int Index)> slots = [];
        Collect(root, slots);
        if (root is null || slots.Count == 0)
        {
            return null;
        }

        (JsonNode parent, string? key, int index) = Pick(slots);
        string where = key ?? $"[{index}]";
        int what = _random.Next(10);
        if (what < 2)
        {
            if (parent is JsonObject o)
            {
                o.Remove(key!);
            }
            else
            {
                ((JsonArray)parent).RemoveAt(index);
            }

            mutations.Add("drop " + where);
        }
        else if (what < 3 && parent is JsonObject unknownParent)
        {
            string unknown = Pick(["Unknown", "", "functionname", "FunctionName ", "__proto__", "\u00e9"]);
            unknownParent[unknown] = RawValue(out string text);
            mutations.Add($"add unknown '{unknown}'={FuzzRequest.Truncate(text, 40)}");
        }
        else
        {
            JsonNode value = RawValue(out string text);
            if (parent is JsonObject o)
            {
                o[key!] = value;
            }
            else
            {
                ((JsonArray)parent)[index] = value;
            }

            mutations.Add($"{where}={FuzzRequest.Truncate(text, 40)}");
        }

        return Expand(Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    private static void Collect(JsonNode? node, List<(JsonNode, string?, int)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> member in o)
                {
                    slots.Add((o, member.Key, -1));
                    Collect(member.Value, slots);
                }

                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    slots.Add((a, null, i));
                    Collect(a[i], slots);
                }

                break;
        }
    }

    /// <summary>A placeholder string, replaced by the raw value's bytes once the document is written (so invalid UTF-8 survives).</summary>
    private JsonNode RawValue(out string text)
    {
        byte[] raw = Pick(Values);
        _raw.Add(raw);
        text = Encoding.UTF8.GetString(raw);
        return JsonValue.Create(Placeholder + (_raw.Count - 1))!;
    }

    private byte[] Expand(byte[] written)
    {
        string marker = "\"" + Placeholder;
        List<byte> output = new(written.Length);
        ReadOnlySpan<byte> rest = written;
        byte[] markerBytes = Encoding.UTF8.GetBytes(marker);
        while (true)
        {
            int at = rest.IndexOf(markerBytes);
            if (at < 0)
            {
                output.AddRange(rest.ToArray());
                break;
            }

            output.AddRange(rest[..at].ToArray());
            rest = rest[(at + markerBytes.Length)..];
            int close = rest.IndexOf((byte)'"');
            int index = int.Parse(Encoding.ASCII.GetString(rest[..close]));
            output.AddRange(_raw[index]);
            rest = rest[(close + 1)..];
        }

        _raw.Clear();
        return [.. output];
    }

    /// <summary>The bytes broken: cut short, one byte changed, or replaced by a whole odd body.</summary>
    private byte[] Textual(byte[] body, List<string> mutations)
    {
        switch (_random.Next(4))
        {
            case 0 when body.Length > 1:
                int length = _random.Next(1, body.Length);
                mutations.Add("truncate at " + length);
                return body[..length];
            case 1 when body.Length > 0:
                byte[] flipped = (byte[])body.Clone();
                int at = _random.Next(flipped.Length);
                flipped[at] = Pick(new byte[] { 0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x2C, 0x80, 0xC3, 0xFF, 0x0A, 0x20, 0x41 });
                mutations.Add($"byte {at}=0x{flipped[at]:X2}");
                return flipped;
            default:
                byte[] whole = Pick(Bodies);
                mutations.Add("body=" + FuzzRequest.Truncate(Encoding.UTF8.GetString(whole), 40));
                return whole;
        }
    }

    /// <summary>Sends a request with a per-request timeout; null when it did not answer in time (a hang).</summary>
    public static async Task<FuzzAnswer?> SendAsync(HttpClient http, Uri endpoint, FuzzRequest request)
    {
        // The path exactly as generated: no canonicalization, so percent-encoding and dots reach the server as sent.
        Uri uri = new(endpoint.GetLeftPart(UriPartial.Authority) + request.PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using HttpRequestMessage message = new(request.Method, uri);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        foreach ((string name, string value) in request.Headers)
        {
            if (name == "Content-Type")
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using CancellationTokenSource timeout = new(RequestTimeout);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(message, timeout.Token);
            byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            string? errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? types) ? types.Single() : null;
            return new FuzzAnswer((int)response.StatusCode, errorType, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Runs every request, checks each answer, and returns the findings (empty: none) and how long it took.</summary>
    public static async Task<(List<string> Findings, TimeSpan Elapsed, Dictionary<int, int> Statuses)> RunAsync(
        HttpClient http, Uri endpoint, IEnumerable<FuzzRequest> requests, Func<FuzzRequest, FuzzAnswer, string?> check, Func<FuzzRequest, FuzzAnswer, Task<string?>>? after = null)
    {
        List<string> findings = [];
        Dictionary<int, int> statuses = [];
        Stopwatch clock = Stopwatch.StartNew();
        foreach (FuzzRequest request in requests)
        {
            FuzzAnswer? answer;
            try
            {
                answer = await SendAsync(http, endpoint, request);
            }
            catch (HttpRequestException e)
            {
                // The connection dropped or was refused: the server crashed or closed it without an answer.
                findings.Add($"no answer ({e.Message}): {request}");
                continue;
            }

            if (answer is null)
            {
                findings.Add($"hang (no answer in {RequestTimeout.TotalSeconds} s): {request}");
                continue;
            }

            statuses[answer.Status] = statuses.GetValueOrDefault(answer.Status) + 1;
            if (Environment.GetEnvironmentVariable("HANDSHAKE_FUZZ_LOG") is { Length: > 0 } log)
            {
                // Every request and its answer, for reading what the fuzz sent (not only what it found).
                await File.AppendAllTextAsync(log, $"{request} -> {answer}\n");
            }

            if (check(request, answer) is { } finding)
            {
                findings.Add($"{finding}: {request} -> {answer}");
            }

            if (after is not null && await after(request, answer) is { } late)
            {
                findings.Add($"{late}: {request} -> {answer}");
            }
        }

        return (findings, clock.Elapsed, statuses);
    }

    /// <summary>Lambda's error shape: x-amzn-ErrorType, and a JSON object with a string message (and Type, but for a ValidationException).</summary>
    public static string? CheckLambdaAnswer(FuzzAnswer answer)
    {
        if (answer.Status >= 500)
        {
            return "5xx";
        }

        if (answer.Status < 400)
        {
            if (answer.Body.Length > 0 && answer.ContentType == "application/json" && !ParsesAsJson(answer.Body))
            {
                return "2xx body is not JSON";
            }

            return null;
        }

        if (string.IsNullOrEmpty(answer.ErrorType))
        {
            return "4xx without x-amzn-ErrorType";
        }

        JsonElement body;
        try
        {
            body = JsonDocument.Parse(answer.Body).RootElement;
        }
        catch (JsonException)
        {
            return "4xx body is not JSON";
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("message", out JsonElement message) || message.ValueKind != JsonValueKind.String)
        {
            return "4xx body without message";
        }

        if (answer.ErrorType != "ValidationException" && (!body.TryGetProperty("Type", out JsonElement type) || type.GetString() != "User"))
        {
            return "4xx body without Type User";
        }

        return null;
    }

    /// <summary>CloudWatch Logs' awsJson1_1 error shape: x-amzn-ErrorType, and a JSON object with a string __type.</summary>
    public static string? CheckLogsAnswer(FuzzAnswer answer)
    {
        if (answer.Status >= 500)
        {
            return "5xx";
        }

        if (answer.ContentType != "application/x-amz-json-1.1")
        {
            return "content type is not application/x-amz-json-1.1";
        }

        if (!ParsesAsJson(answer.Body))
        {
            return "body is not JSON";
        }

        if (answer.Status < 400)
        {
            return null;
        }

        JsonElement body = JsonDocument.Parse(answer.Body).RootElement;
        if (string.IsNullOrEmpty(answer.ErrorType))
        {
            return "4xx without x-amzn-ErrorType";
        }

        return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("__type", out JsonElement type) && type.ValueKind == JsonValueKind.String
            ? null
            : "4xx body without __type";
    }

    private static bool ParsesAsJson(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

internal sealed record FuzzAnswer(int Status, string? ErrorType, string? ContentType, byte[] Body)
{
    public override string ToString() => $"{Status} {ErrorType} {FuzzRequest.Truncate(Encoding.UTF8.GetString(Body), 300)}";
}
