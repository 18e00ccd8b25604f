using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A seeded, bounded fuzz of the function URL mapping against a model of AWS's documented rules
/// (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request and response payloads", and API Gateway's
/// payload format 2.0 which it follows, apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
/// random requests, written byte for byte on a raw keep-alive socket, to a Node function that echoes its event, each
/// event checked against what those rules make of the request; and random answers, returned by a function that answers
/// what the request's body tells it to, each HTTP response checked against what the rules make of the answer.
/// </summary>
/// <remarks>
/// Where AWS does not document a case, the model says so ("inferred") and holds the host to its README's choice, so a
/// change there is a decision, not an accident. A failure names the seed and the case and shows the request (or the
/// answer): <c>FuzzRequestCase(seed, i)</c> and <c>FuzzAnswerCase(seed, i)</c> rebuild it.
/// </remarks>
public sealed partial class FunctionUrlTests
{
    private static readonly int[] FuzzSeeds = [20261129, 20261130, 20261131];

    private const int FuzzRequestCases = 80;

    private const int FuzzAnswerCases = 60;

    /// <summary>Each test's whole loop stops here (checked per case), whatever the machine's load; each exchange has its own deadline.</summary>
    private static readonly TimeSpan FuzzBudget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Fuzz_random_requests_arrive_as_AWSs_payload_format_2_0_event()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddFuzzFunction(server.Test, "fuzz-echo-url", "index.echo");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "fuzz-echo-url", """{"AuthType":"NONE"}""");
        string urlId = url.Host[..url.Host.IndexOf('.', StringComparison.Ordinal)];
        Stopwatch clock = Stopwatch.StartNew();
        int done = 0;
        foreach (int seed in FuzzSeeds)
        {
            await using RawConnection connection = new(server.Endpoint);
            for (int i = 0; i < FuzzRequestCases && clock.Elapsed < FuzzBudget; i++, done++)
            {
                FuzzRequest request = FuzzRequestCase(seed, i, url.Host, url.Port);

                // Every tenth request (the first on each connection among them, which the store's event loop hands to
                // Kestrel) is written twice in one go, pipelined: both answers come back, in order, each with its event.
                int copies = i % 10 == 0 && request.Protocol == "HTTP/1.1" ? 2 : 1;
                long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                List<RawResponse> responses = await connection.SendAsync(copies == 1 ? request.Bytes : [.. request.Bytes, .. request.Bytes], request.Method == "HEAD",
                    closeAfter: request.Protocol == "HTTP/1.0", responses: copies);
                long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (RawResponse response in responses)
                {
                    string where = $"seed {seed}, request case {i}{(copies > 1 ? " (pipelined twice)" : "")}:\n{request.Show()}\n--- answered ---\n{response.Show()}";
                    Assert.True(response.Status == 200, where);
                    if (request.Method == "HEAD")
                    {
                        // The event went to the function, but HEAD's answer carries no body to read it from.
                        Assert.True(response.Body.Length == 0 && response.Header("content-length") is not null, where);
                        continue;
                    }

                    JsonElement e;
                    try
                    {
                        e = JsonDocument.Parse(response.Body).RootElement.Clone();
                    }
                    catch (JsonException x)
                    {
                        throw new Xunit.Sdk.XunitException($"{where}\nnot JSON: {x.Message}");
                    }

                    CheckEvent(e, request, urlId, server.Endpoint.Port, response.Header("x-amzn-RequestId"), before, after, where);
                }
            }
        }

        Assert.True(done >= FuzzSeeds.Length * FuzzRequestCases / 4, $"only {done} cases ran within {FuzzBudget}");
    }

    [Fact]
    public async Task Fuzz_random_function_answers_become_AWSs_HTTP_response()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddFuzzFunction(server.Test, "fuzz-answer-url", "index.answer");
        AddFuzzFunction(server.Test, "fuzz-stream-url", "index.streamAnswer");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "fuzz-answer-url", """{"AuthType":"NONE"}""");
        Uri streamUrl = await CreateUrlAsync(http, "fuzz-stream-url", """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""");
        Stopwatch clock = Stopwatch.StartNew();
        int done = 0;
        foreach (int seed in FuzzSeeds)
        {
            await using RawConnection connection = new(server.Endpoint);
            for (int i = 0; i < FuzzAnswerCases && clock.Elapsed < FuzzBudget; i++, done++)
            {
                // Every third answer is streamed, through a RESPONSE_STREAM URL: the prelude's statusCode, headers and
                // cookies, then the body in pieces.
                bool streamed = i % 3 == 2;
                FuzzAnswer answer = FuzzAnswerCase(seed, i, streamed);
                byte[] order = Encoding.UTF8.GetBytes(answer.Order);
                string method = answer.Head ? "HEAD" : "POST";
                string host = streamed ? $"{streamUrl.Host}:{streamUrl.Port}" : $"{url.Host}:{url.Port}";
                byte[] request = [.. Encoding.ASCII.GetBytes($"{method} /answer HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {order.Length}\r\n\r\n"), .. order];
                RawResponse response = (await connection.SendAsync(request, answer.Head))[0];
                string where = $"seed {seed}, answer case {i} ({answer.Kind}{(answer.Head ? ", HEAD" : "")}{(streamed ? ", streamed" : "")}): the function answers\n{answer.Order}\n--- answered ---\n{response.Show()}";
                CheckAnswer(response, answer, where);
            }
        }

        Assert.True(done >= FuzzSeeds.Length * FuzzAnswerCases / 4, $"only {done} cases ran within {FuzzBudget}");
    }

    private static void AddFuzzFunction(TestHost test, string name, string handler) =>
        test.Host.CreateFunction(new FunctionDefinition
        {
            Name = name,
            Runtime = "nodejs20.x",
            Handler = handler,
            CodeDirectory = Path.Combine(AppContext.BaseDirectory, "functions", "node-url-fuzz"),
            Timeout = 30,
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
        });

    // ---------------------------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>One generated request: its bytes and what the model needs to know of them.</summary>
    private sealed record FuzzRequest(
        byte[] Bytes,
        string Method,
        string Protocol,
        string RawPath,
        string? RawQuery,
        List<(string Name, string Value)> Headers,
        List<string> CookieHeaders,
        string? ContentType,
        byte[] Body,
        string Host)
    {
        public string Show()
        {
            int head = Bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
            string text = Encoding.UTF8.GetString(Bytes, 0, head).Replace("\r\n", "\\r\\n\n", StringComparison.Ordinal);
            return text + (Body.Length == 0 ? "" : $"[body {Body.Length} bytes: {Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 64)))}]");
        }
    }

    private static readonly string[] Methods = ["GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

    /// <summary>Characters a path segment or query component may carry as they are (RFC 3986 pchar, less '%').</summary>
    private const string PathLiterals = "abcXYZ019-._~!$'()*,;:@";

    /// <summary>What a query component may carry as it is (RFC 3986 query, less '&amp;', '=', '+' and '%').</summary>
    private const string QueryLiterals = "abcXYZ019-._~!$'()*,;:@/?";

    /// <summary>What a cookie value may carry, and more ('%' and '"' included): the mapping only splits on ';'.</summary>
    private const string CookieLiterals = "abcXYZ019!#$%&'()*+-./:<=>?@[]^_`{|}~\"";

    private static readonly string[] Unicode = ["é", "ü", "日本", "Ω", "😀", "ß", "€", "\u00a0", "中"];

    private static readonly string[] TextTypes =
        ["text/plain", "text/plain; charset=utf-8", "TEXT/HTML", "application/json", "application/json; charset=UTF-8", "application/vnd.api+json",
         "application/xml", "image/svg+xml", "text/csv", "application/javascript"];

    private static readonly string[] BinaryTypes =
        ["application/octet-stream", "image/png", "application/x-www-form-urlencoded", "multipart/form-data; boundary=fuzz", "application/pdf", "audio/mpeg"];

    private static FuzzRequest FuzzRequestCase(int seed, int index, string host, int port)
    {
        Random random = new(unchecked(seed * 7919 + index * 31 + 1)); // HashCode is seeded per process: not reproducible
        string method = Methods[random.Next(Methods.Length)];
        string protocol = random.Next(15) == 0 ? "HTTP/1.0" : "HTTP/1.1";
        string rawPath = RandomPath(random);
        // Unicode in the path is percent-encoded UTF-8: raw non-ASCII bytes in a request target are not HTTP (RFC 9112's
        // target is ASCII), and Kestrel answers them 400 before any function URL code runs.
        string? rawQuery = random.Next(4) == 0 ? null : RandomQuery(random);
        string target = rawPath + (rawQuery is null ? "" : "?" + rawQuery);

        // Header lines in the order sent, each with its lowercased name and the value the server should read from it:
        // names in random case, some sent more than once, values with the separators a list header has (commas,
        // semicolons, quotes) and whitespace around them.
        List<(string Line, string Name, string Value)> lines = [];
        string hostHeader = $"{host}:{port}";
        lines.Add(($"{RandomCase(random, "Host")}: {hostHeader}", "host", hostHeader));
        if (random.Next(5) != 0)
        {
            string agent = random.Next(3) == 0 ? "fuzz/1.0 (x; y) \"quoted\"" : $"agent-{random.Next(1000)}";
            lines.Add(($"{RandomCase(random, "User-Agent")}: {agent}", "user-agent", agent));
            if (random.Next(8) == 0)
            {
                string second = $"second/{random.Next(10)}";
                lines.Add(($"User-Agent: {second}", "user-agent", second));
            }
        }

        int custom = random.Next(6);
        for (int h = 0; h < custom; h++)
        {
            string name = "X-Fuzz-" + RandomToken(random, 1 + random.Next(6), TokenSymbols);
            int times = random.Next(4) == 0 ? 2 + random.Next(2) : 1;
            for (int t = 0; t < times; t++)
            {
                // Now and then UTF-8 (Kestrel reads it as UTF-8; AWS does not document other bytes).
                string value = RandomHeaderValue(random) + (random.Next(10) == 0 ? Unicode[random.Next(Unicode.Length)] : "");
                string spacing = random.Next(4) == 0 ? "   " : random.Next(6) == 0 ? "" : " ";
                lines.Add(($"{RandomCase(random, name)}:{spacing}{value}{(random.Next(6) == 0 ? "  " : "")}", name.ToLowerInvariant(), value));
            }
        }

        int cookies = random.Next(5) switch { 0 or 1 => 0, 2 or 3 => 1, _ => 2 + random.Next(2) };
        for (int c = 0; c < cookies; c++)
        {
            string value = RandomCookieHeader(random);
            lines.Add(($"{RandomCase(random, "Cookie")}: {value}", "cookie", value));
        }

        (string? contentType, byte[] body) = RandomBody(random);
        if (contentType is not null)
        {
            lines.Add(($"{RandomCase(random, "Content-Type")}: {contentType}", "content-type", contentType));
        }

        // A body in chunks (the event's headers say so, as the client sent them: inferred), or with its length.
        bool chunked = body.Length > 0 && protocol == "HTTP/1.1" && random.Next(8) == 0;
        if (chunked)
        {
            lines.Add(("Transfer-Encoding: chunked", "transfer-encoding", "chunked"));
        }
        else if (body.Length > 0 || random.Next(3) == 0 && method is "POST" or "PUT" or "PATCH")
        {
            lines.Add(($"Content-Length: {body.Length}", "content-length", body.Length.ToString(CultureInfo.InvariantCulture)));
        }

        if (body.Length > 0 && protocol == "HTTP/1.1" && random.Next(12) == 0)
        {
            lines.Add(("Expect: 100-continue", "expect", "100-continue"));
        }

        // Shuffled: nothing in the mapping may depend on which header came first (the Host stays first, as clients send it).
        for (int k = lines.Count - 1; k > 1; k--)
        {
            int j = 1 + random.Next(k);
            (lines[k], lines[j]) = (lines[j], lines[k]);
        }

        List<(string Name, string Value)> headers = [.. lines.Where(l => l.Name != "cookie").Select(l => (l.Name, l.Value))];
        List<string> cookieHeaders = [.. lines.Where(l => l.Name == "cookie").Select(l => l.Value)];
        string head = $"{method} {target} {protocol}\r\n" + string.Join("", lines.Select(l => l.Line + "\r\n")) + "\r\n";
        byte[] bytes = [.. Encoding.UTF8.GetBytes(head), .. chunked ? Chunked(random, body) : body];
        return new FuzzRequest(bytes, method, protocol, rawPath, rawQuery, headers, cookieHeaders, contentType, body, host);
    }

    private static string RandomPath(Random random)
    {
        int segments = random.Next(5);
        if (segments == 0)
        {
            return "/";
        }

        StringBuilder path = new();
        for (int s = 0; s < segments; s++)
        {
            path.Append('/');
            int pieces = random.Next(4);
            for (int p = 0; p < pieces; p++)
            {
                path.Append(random.Next(8) switch
                {
                    0 => PercentEncode(Unicode[random.Next(Unicode.Length)]),
                    1 => random.Next(3) switch { 0 => "%2F", 1 => "%20", _ => "%25" },
                    2 => "+",
                    3 => "=",
                    _ => PathLiterals[random.Next(PathLiterals.Length)].ToString(),
                });
            }
        }

        if (random.Next(6) == 0)
        {
            path.Append('/');
        }

        return path.ToString();
    }

    private static string RandomQuery(Random random)
    {
        // Sometimes "?" alone, sometimes stray '&'s: the raw string is kept as sent either way.
        int pairs = random.Next(6) == 0 ? 0 : 1 + random.Next(5);
        List<string> keys = [];
        List<string> parts = [];
        for (int p = 0; p < pairs; p++)
        {
            string key = keys.Count > 0 && random.Next(3) == 0 ? keys[random.Next(keys.Count)] : RandomQueryComponent(random, key: true);
            keys.Add(key);
            parts.Add(random.Next(6) switch
            {
                0 => key,                                   // no '=': an empty value
                1 => key + "=",                             // an empty value
                2 => key + "=" + RandomQueryComponent(random, key: false) + "=" + RandomQueryComponent(random, key: false), // '=' in the value
                _ => key + "=" + RandomQueryComponent(random, key: false),
            });
            if (random.Next(10) == 0)
            {
                parts.Add("");
            }
        }

        return string.Join('&', parts);
    }

    private static string RandomQueryComponent(Random random, bool key)
    {
        StringBuilder text = new();
        int pieces = (key ? 1 : 0) + random.Next(4);
        for (int p = 0; p < pieces; p++)
        {
            text.Append(random.Next(10) switch
            {
                0 => PercentEncode(Unicode[random.Next(Unicode.Length)]),
                1 => "+",
                2 => "%20",
                3 => random.Next(4) switch { 0 => "%2B", 1 => "%26", 2 => "%3D", _ => "%2C" },
                4 when !key && random.Next(4) == 0 => random.Next(2) == 0 ? "%zz" : "%-", // not an escape: kept as it is (inferred)
                _ => QueryLiterals[random.Next(QueryLiterals.Length)].ToString(),
            });
        }

        return text.Length == 0 && key ? "k" : text.ToString();
    }

    private static string PercentEncode(string text) => string.Concat(Encoding.UTF8.GetBytes(text).Select(b => $"%{b:X2}"));

    /// <summary>The symbols an HTTP token (a header name) may have besides letters and digits.</summary>
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    private static string RandomToken(Random random, int length, string symbols = "-_")
    {
        string token = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + symbols;
        return string.Concat(Enumerable.Range(0, length).Select(_ => token[random.Next(token.Length)]));
    }

    /// <summary><paramref name="body"/> in one to three chunks, then the last, empty one.</summary>
    private static byte[] Chunked(Random random, byte[] body)
    {
        List<byte> bytes = [];
        int at = 0;
        while (at < body.Length)
        {
            int size = Math.Min(body.Length - at, 1 + random.Next(body.Length));
            bytes.AddRange(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
            bytes.AddRange(body.AsSpan(at, size).ToArray());
            bytes.AddRange("\r\n"u8.ToArray());
            at += size;
        }

        bytes.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. bytes];
    }

    private static string RandomCase(Random random, string name) =>
        random.Next(3) switch
        {
            0 => name.ToLowerInvariant(),
            1 => string.Concat(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))),
            _ => name,
        };

    /// <summary>Printable ASCII (no leading or trailing space: HTTP strips it), commas and semicolons included.</summary>
    private static string RandomHeaderValue(Random random)
    {
        int length = random.Next(4) == 0 ? 0 : 1 + random.Next(20);
        StringBuilder value = new();
        for (int k = 0; k < length; k++)
        {
            value.Append(random.Next(6) switch
            {
                0 => ',',
                1 => ';',
                2 => ' ',
                _ => (char)random.Next(0x21, 0x7F),
            });
        }

        return value.ToString().Trim(' ');
    }

    /// <summary>A Cookie header: one or more name=value pairs, split by ';' with or without spaces (and the odd empty one).</summary>
    private static string RandomCookieHeader(Random random)
    {
        int count = 1 + random.Next(3);
        List<string> cookies = [];
        for (int c = 0; c < count; c++)
        {
            string value = string.Concat(Enumerable.Range(0, random.Next(8)).Select(_ => CookieLiterals[random.Next(CookieLiterals.Length)]));
            cookies.Add($"{RandomToken(random, 1 + random.Next(5))}={value}");
        }

        string separator = random.Next(3) switch { 0 => ";", 1 => "; ", _ => " ;  " };
        string header = string.Join(separator, cookies);
        return random.Next(8) == 0 ? header + ";" : header;
    }

    private static (string? ContentType, byte[] Body) RandomBody(Random random)
    {
        switch (random.Next(7))
        {
            case 0:
                return (null, []);
            case 1:
                return (TextTypes[random.Next(TextTypes.Length)], []);
            case 2:
            case 3:
                // Text, unicode and JSON-hostile characters included.
                string text = string.Concat(Enumerable.Range(0, 1 + random.Next(40)).Select(_ => random.Next(6) switch
                {
                    0 => Unicode[random.Next(Unicode.Length)],
                    1 => "\"\\\n\t\u0001",
                    _ => ((char)random.Next(0x20, 0x7F)).ToString(),
                }));
                return (TextTypes[random.Next(TextTypes.Length)], Encoding.UTF8.GetBytes(text));
            case 4:
                // Binary with a text type: not UTF-8, so base64 (inferred).
                return (TextTypes[random.Next(TextTypes.Length)], [0xFF, .. RandomBytes(random)]);
            case 5:
                return (BinaryTypes[random.Next(BinaryTypes.Length)], RandomBytes(random));
            default:
                // Printable text under a binary type, or with no Content-Type at all: base64 (inferred).
                return (random.Next(2) == 0 ? null : BinaryTypes[random.Next(BinaryTypes.Length)], Encoding.UTF8.GetBytes("a=1&b=" + RandomToken(random, 8)));
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[1 + random.Next(48)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The event the model expects for <paramref name="request"/>, member by member.</summary>
    private static void CheckEvent(JsonElement e, FuzzRequest request, string urlId, int port, string? requestId, long before, long after, string where)
    {
        void Equal<T>(T expected, T actual, string member)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                throw new Xunit.Sdk.XunitException($"{member}: expected {Quote(expected)}, got {Quote(actual)}\n{where}\n--- event ---\n{e}");
            }
        }

        Equal("2.0", e.GetProperty("version").GetString(), "version");
        Equal("$default", e.GetProperty("routeKey").GetString(), "routeKey");

        // rawPath and rawQueryString: as sent, not decoded (AWS's example: rawQueryString keeps both parameter1s).
        Equal(request.RawPath, e.GetProperty("rawPath").GetString(), "rawPath");
        Equal(request.RawQuery ?? "", e.GetProperty("rawQueryString").GetString(), "rawQueryString");

        // queryStringParameters: decoded, a repeated key's values joined by commas ("Duplicate query strings are
        // combined with commas"); absent with no query. '+' as a space, and a '%' that starts no escape kept as it is,
        // are inferred (form encoding; AWS does not say).
        List<(string Key, string Value)> pairs = ExpectedQuery(request.RawQuery ?? "");
        if ((request.RawQuery ?? "").Length == 0)
        {
            Equal(false, e.TryGetProperty("queryStringParameters", out _), "queryStringParameters present");
        }
        else
        {
            Dictionary<string, string> expected = [];
            foreach ((string key, string value) in pairs)
            {
                expected[key] = expected.TryGetValue(key, out string? before2) ? before2 + "," + value : value;
            }

            if (expected.Count == 0 && !e.TryGetProperty("queryStringParameters", out _))
            {
                // A query of stray '&'s alone: whether AWS sends {} or nothing is not documented; either is taken.
            }
            else
            {
                Dictionary<string, string> actual = e.GetProperty("queryStringParameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                Equal(Show(expected), Show(actual), "queryStringParameters");
            }
        }

        // headers: names lowercased, a repeated header's values joined by commas ("Duplicate headers are combined with
        // commas"), Cookie not among them; plus what AWS's front end adds.
        Dictionary<string, string> expectedHeaders = [];
        foreach ((string name, string value) in request.Headers)
        {
            expectedHeaders[name] = expectedHeaders.TryGetValue(name, out string? earlier) ? earlier + "," + value : value;
        }

        JsonElement headers = e.GetProperty("headers");
        Dictionary<string, string> actualHeaders = headers.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        foreach (string added in new[] { "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto" })
        {
            Equal(true, actualHeaders.Remove(added, out string? value) && value.Length > 0, "headers." + added);
        }

        Equal(port.ToString(CultureInfo.InvariantCulture), headers.GetProperty("x-forwarded-port").GetString(), "headers.x-forwarded-port");
        Equal("http", headers.GetProperty("x-forwarded-proto").GetString(), "headers.x-forwarded-proto");
        Equal("127.0.0.1", headers.GetProperty("x-forwarded-for").GetString(), "headers.x-forwarded-for");
        Equal(Show(expectedHeaders), Show(actualHeaders), "headers");

        // cookies: every cookie of every Cookie header, one element each; absent with none.
        List<string> cookies = [.. request.CookieHeaders.SelectMany(h => h.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];
        if (cookies.Count == 0)
        {
            Equal(false, e.TryGetProperty("cookies", out _), "cookies present");
        }
        else
        {
            Equal(string.Join(" | ", cookies), string.Join(" | ", e.GetProperty("cookies").EnumerateArray().Select(c => c.GetString())), "cookies");
        }

        JsonElement context = e.GetProperty("requestContext");
        Equal("anonymous", context.GetProperty("accountId").GetString(), "requestContext.accountId");
        Equal(urlId, context.GetProperty("apiId").GetString(), "requestContext.apiId");
        Equal(urlId, context.GetProperty("domainPrefix").GetString(), "requestContext.domainPrefix");
        Equal(request.Host, context.GetProperty("domainName").GetString(), "requestContext.domainName");
        Equal("$default", context.GetProperty("routeKey").GetString(), "requestContext.routeKey");
        Equal("$default", context.GetProperty("stage").GetString(), "requestContext.stage");
        Equal(requestId, context.GetProperty("requestId").GetString(), "requestContext.requestId (the answer's x-amzn-RequestId)");
        JsonElement http = context.GetProperty("http");
        Equal(request.Method, http.GetProperty("method").GetString(), "requestContext.http.method");
        Equal(request.RawPath, http.GetProperty("path").GetString(), "requestContext.http.path");
        Equal(request.Protocol, http.GetProperty("protocol").GetString(), "requestContext.http.protocol");
        Equal("127.0.0.1", http.GetProperty("sourceIp").GetString(), "requestContext.http.sourceIp");
        // The User-Agent header's value; with none, "" (inferred: AWS's example always has one).
        Equal(expectedHeaders.GetValueOrDefault("user-agent", ""), http.GetProperty("userAgent").GetString(), "requestContext.http.userAgent");

        // time and timeEpoch: the same instant (to the second), taken while the request was in flight.
        long epoch = context.GetProperty("timeEpoch").GetInt64();
        Equal(true, epoch >= before - 1000 && epoch <= after + 1000, $"requestContext.timeEpoch {epoch} within [{before}, {after}]");
        DateTimeOffset time = DateTimeOffset.ParseExact(context.GetProperty("time").GetString()!, "dd'/'MMM'/'yyyy':'HH':'mm':'ss' +0000'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal);
        Equal(epoch / 1000, time.ToUnixTimeSeconds(), "requestContext.time (as timeEpoch's second)");

        // body: absent when empty; base64 when binary. Which content types are "binary" is inferred (README): text/*,
        // JSON, XML and JavaScript are text when they are UTF-8; everything else, and no Content-Type, is not.
        if (request.Body.Length == 0)
        {
            Equal(false, e.TryGetProperty("body", out _), "body present");
            Equal(false, e.GetProperty("isBase64Encoded").GetBoolean(), "isBase64Encoded");
        }
        else
        {
            bool text = IsTextType(request.ContentType) && System.Text.Unicode.Utf8.IsValid(request.Body);
            Equal(!text, e.GetProperty("isBase64Encoded").GetBoolean(), "isBase64Encoded");
            Equal(text ? Encoding.UTF8.GetString(request.Body) : Convert.ToBase64String(request.Body), e.GetProperty("body").GetString(), "body");
        }
    }

    /// <summary>The query's pairs, decoded: split on '&amp;' (empty pieces skipped), then at the first '='.</summary>
    private static List<(string Key, string Value)> ExpectedQuery(string rawQuery)
    {
        List<(string, string)> pairs = [];
        foreach (string piece in rawQuery.Split('&'))
        {
            if (piece.Length == 0)
            {
                continue;
            }

            int equals = piece.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(equals < 0 ? (FormDecode(piece), "") : (FormDecode(piece[..equals]), FormDecode(piece[(equals + 1)..])));
        }

        return pairs;
    }

    /// <summary>'+' is a space, %XX a byte (of UTF-8), a '%' that starts no escape itself.</summary>
    private static string FormDecode(string component)
    {
        List<byte> bytes = [];
        for (int k = 0; k < component.Length; k++)
        {
            char c = component[k];
            if (c == '%' && k + 2 < component.Length && Uri.IsHexDigit(component[k + 1]) && Uri.IsHexDigit(component[k + 2]))
            {
                bytes.Add(Convert.ToByte(component.Substring(k + 1, 2), 16));
                k += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c == '+' ? " " : c.ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsTextType(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        string media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media.StartsWith("text/", StringComparison.Ordinal) || media.EndsWith("/json", StringComparison.Ordinal) || media.EndsWith("+json", StringComparison.Ordinal)
            || media.EndsWith("/xml", StringComparison.Ordinal) || media.EndsWith("+xml", StringComparison.Ordinal) || media == "application/javascript";
    }

    private static string Show(Dictionary<string, string> map) =>
        string.Join("\n", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"  {p.Key}: {Quote(p.Value)}"));

    private static string Quote<T>(T value) => value is string s ? JsonSerializer.Serialize(s) : value?.ToString() ?? "null";

    // ---------------------------------------------------------------------------------------------------------------
    // Answers
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// One generated answer: the order the function gets (<c>{"return": X}</c> or <c>{"throw": ...}</c>) and the HTTP
    /// response the model expects of it.
    /// </summary>
    private sealed record FuzzAnswer(string Kind, string Order, bool Head, int Status, List<(string Name, string Value)> Headers, List<string> Cookies, string? ContentType, byte[] Body)
    {
        public bool Streamed { get; init; }
    }

    private static readonly int[] Statuses = [200, 200, 201, 202, 203, 204, 205, 206, 301, 302, 304, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 599];

    private static FuzzAnswer FuzzAnswerCase(int seed, int index, bool streamed)
    {
        Random random = new(unchecked(seed * 7919 + index * 31 + 2));
        bool head = random.Next(12) == 0;
        FuzzAnswer answer = random.Next(10) switch
        {
            <= 4 => ShapedAnswer(random, head, streamed),
            5 or 6 when !streamed => InferredAnswer(random, head),
            <= 8 => RefusedAnswer(random, head, streamed),
            _ => ThrownAnswer(random, head),
        };
        return answer with { Streamed = streamed };
    }

    /// <summary>A response object: statusCode, headers, multiValueHeaders, cookies, body (text or base64).</summary>
    private static FuzzAnswer ShapedAnswer(Random random, bool head, bool streamed)
    {
        int status = Statuses[random.Next(Statuses.Length)];
        JsonObject answer = new() { ["statusCode"] = status };
        List<(string Name, string Value)> expectedHeaders = [];
        HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
        string? contentType = null;
        if (random.Next(5) != 0)
        {
            JsonObject headers = [];
            int count = random.Next(5);
            for (int h = 0; h < count; h++)
            {
                string name = "X-Out-" + RandomToken(random, 1 + random.Next(5), TokenSymbols);
                if (!names.Add(name))
                {
                    continue;
                }

                // A number or a boolean is sent as its JSON text (inferred: AWS's examples have strings alone).
                JsonValue value = random.Next(6) switch
                {
                    0 => JsonValue.Create(random.Next(100000)),
                    1 => JsonValue.Create(random.Next(2) == 0),
                    // A tab inside a value is HTTP (field-content); the reader trims what is around it.
                    2 => JsonValue.Create(RandomHeaderValue(random) + "\t" + RandomToken(random, 3))!,
                    _ => JsonValue.Create(RandomHeaderValue(random))!,
                };
                string text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                headers[name] = value;
                expectedHeaders.Add((name, text));
            }

            if (random.Next(2) == 0)
            {
                string name = RandomCase(random, "Content-Type");
                contentType = random.Next(2) == 0 ? "text/plain; charset=utf-8" : "application/octet-stream";
                headers[name] = contentType;
                names.Add(name);
                expectedHeaders.Add(("Content-Type", contentType));
            }

            if (random.Next(6) == 0)
            {
                // The function's own framing headers: the host frames the body itself (their values are ignored).
                headers[random.Next(2) == 0 ? "Content-Length" : "transfer-encoding"] = random.Next(2) == 0 ? "999" : "chunked";
            }

            answer["headers"] = headers;
        }

        if (!streamed && random.Next(4) == 0)
        {
            // Payload format 1.0's member, accepted and sent one header per value (inferred: not in the URL docs).
            JsonObject multi = [];
            string name = "X-Multi-" + RandomToken(random, 3);
            if (names.Add(name))
            {
                JsonArray values = [];
                for (int v = 0; v < 1 + random.Next(3); v++)
                {
                    string value = RandomToken(random, 1 + random.Next(6));
                    values.Add(value);
                    expectedHeaders.Add((name, value));
                }

                multi[name] = values;
                answer["multiValueHeaders"] = multi;
            }
        }

        List<string> cookies = [];
        if (random.Next(3) == 0)
        {
            JsonArray array = [];
            for (int c = 0; c < 1 + random.Next(3); c++)
            {
                string cookie = $"{RandomToken(random, 1 + random.Next(5))}={RandomToken(random, random.Next(8))}" + (random.Next(2) == 0 ? "; Path=/; HttpOnly" : "; Max-Age=60");
                array.Add(cookie);
                cookies.Add(cookie);
            }

            answer["cookies"] = array;
        }

        byte[] body;
        switch (random.Next(5))
        {
            case 0:
                body = [];
                break;
            case 1:
                body = RandomBytes(random);
                answer["body"] = Convert.ToBase64String(body);
                answer["isBase64Encoded"] = true;
                break;
            case 2:
                answer["body"] = null;
                body = [];
                break;
            default:
                string text = string.Concat(Enumerable.Range(0, random.Next(30)).Select(_ => random.Next(5) == 0 ? Unicode[random.Next(Unicode.Length)] : ((char)random.Next(0x20, 0x7F)).ToString()));
                answer["body"] = text;
                if (random.Next(3) == 0)
                {
                    answer["isBase64Encoded"] = false;
                }

                body = Encoding.UTF8.GetBytes(text);
                break;
        }

        return new FuzzAnswer("response", Order(answer), head, status, expectedHeaders, cookies, contentType ?? "application/json", body);
    }

    /// <summary>Valid JSON without a statusCode: 200, application/json, the JSON as the body (a string: its text).</summary>
    private static FuzzAnswer InferredAnswer(Random random, bool head)
    {
        JsonNode? value = random.Next(7) switch
        {
            0 => JsonValue.Create("text " + RandomToken(random, 6) + Unicode[random.Next(Unicode.Length)] + " \"quoted\""),
            1 => JsonValue.Create(random.Next(-1000, 1000)),
            2 => JsonValue.Create(random.Next(2) == 0),
            3 => new JsonArray(JsonValue.Create(RandomToken(random, 3)), JsonValue.Create(7), null),
            4 => new JsonObject { ["body"] = "not a response", ["headers"] = new JsonObject { ["x-no"] = "1" } },
            5 => new JsonObject { ["message"] = RandomToken(random, 8), ["nested"] = new JsonObject { ["statusCode"] = 404 } },
            _ => null,
        };
        byte[] body = value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? Encoding.UTF8.GetBytes(v.GetValue<string>())
            : Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null");
        return new FuzzAnswer("inferred", Order(value), head, 200, [], [], "application/json", body);
    }

    /// <summary>An answer that is no response AWS could send: 502 (inferred, README "Failures").</summary>
    private static FuzzAnswer RefusedAnswer(Random random, bool head, bool streamed)
    {
        // A stream's prelude has no body member: only the statusCode, header and cookie refusals apply to it.
        int kind = random.Next(7);
        if (streamed && kind is 2 or 3 or 4)
        {
            kind = random.Next(2) == 0 ? 1 : 5;
        }

        JsonObject answer = kind switch
        {
            0 => new JsonObject { ["statusCode"] = "200" },
            1 => new JsonObject { ["statusCode"] = random.Next(2) == 0 ? 99 : 600 + random.Next(400) },
            2 => new JsonObject { ["statusCode"] = 200, ["body"] = new JsonObject { ["x"] = 1 } },
            3 => new JsonObject { ["statusCode"] = 200, ["body"] = random.Next(100) },
            4 => new JsonObject { ["statusCode"] = 200, ["body"] = "%%%" + RandomToken(random, 3), ["isBase64Encoded"] = true },
            5 => new JsonObject { ["statusCode"] = 200, ["headers"] = new JsonObject { ["x-bad"] = "a\r\nInjected: " + RandomToken(random, 3) } },
            _ => new JsonObject { ["statusCode"] = 200, ["cookies"] = new JsonArray("c=" + Unicode[random.Next(Unicode.Length)]) },
        };
        return new FuzzAnswer("refused", Order(answer), head, 502, [], [], null, "Internal Server Error"u8.ToArray());
    }

    /// <summary>The function fails: 502 (AWS's answer to a function error).</summary>
    private static FuzzAnswer ThrownAnswer(Random random, bool head) =>
        new("thrown", JsonSerializer.Serialize(new { @throw = "fuzz boom " + RandomToken(random, 5) }), head, 502, [], [], null, "Internal Server Error"u8.ToArray());

    private static string Order(JsonNode? value) => new JsonObject { ["return"] = value?.DeepClone() }.ToJsonString();

    private static void CheckAnswer(RawResponse response, FuzzAnswer answer, string where)
    {
        void That(bool condition, string what)
        {
            if (!condition)
            {
                throw new Xunit.Sdk.XunitException($"{what}\n{where}");
            }
        }

        That(response.Status == answer.Status, $"status: expected {answer.Status}, got {response.Status}");
        if (answer.Status == 502)
        {
            That(answer.Head ? response.Body.Length == 0 : response.Body.AsSpan().SequenceEqual(answer.Body), "body: expected Internal Server Error");
            return;
        }

        foreach (IGrouping<string, (string Name, string Value)> group in answer.Headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
        {
            // A header with an empty value is not sent: Kestrel drops it (AWS does not document what it does with one).
            // A reader takes the whitespace around a value off (RFC 9110 field values), so the model does too.
            string[] expected = [.. group.Select(h => h.Value.Trim(' ', '\t')).Where(v => v.Length > 0)];
            string[] actual = response.Values(group.Key);
            That(expected.SequenceEqual(actual), $"header {group.Key}: expected [{string.Join(" | ", expected.Select(Quote))}], got [{string.Join(" | ", actual.Select(Quote))}]");
        }

        string[] setCookies = response.Values("set-cookie");
        That(answer.Cookies.SequenceEqual(setCookies), $"Set-Cookie: expected [{string.Join(" | ", answer.Cookies)}], got [{string.Join(" | ", setCookies)}]");
        string[] contentTypes = response.Values("content-type");
        bool noBody = answer.Status is 204 or 205 or 304;
        That(contentTypes.Length == 1 && contentTypes[0] == answer.ContentType, $"content-type: expected {answer.ContentType}, got [{string.Join(" | ", contentTypes)}]");
        That(response.Header("x-amzn-RequestId") is { Length: > 0 }, "x-amzn-RequestId missing");
        if (noBody)
        {
            // HTTP gives 204, 205 and 304 no body: the function's is dropped (inferred, README).
            // (Kestrel frames a 205 with Content-Length: 0, which RFC 9110 allows; 204 and 304 have none.)
            That(response.Body.Length == 0 && (response.Header("content-length") is null || answer.Status == 205 && response.Header("content-length") == "0"),
                "a 204, 205 or 304 with a body or a Content-Length");
            return;
        }

        if (answer.Head)
        {
            // A buffered HEAD says how long the body would be; a streamed one cannot know.
            That(response.Body.Length == 0 && (answer.Streamed || response.Header("content-length") is not null), "HEAD: a body, or no Content-Length");
            return;
        }

        if (answer.Streamed)
        {
            That(response.Header("content-length") is null && response.Header("transfer-encoding") == "chunked", "a streamed answer not chunked");
        }
        else
        {
            That(response.Header("content-length") == response.Body.Length.ToString(CultureInfo.InvariantCulture), $"content-length {response.Header("content-length")} for {response.Body.Length} bytes");
        }

        if (answer.Kind == "inferred" && answer.Body.Length > 0 && answer.Body[0] is (byte)'{' or (byte)'[')
        {
            // An object or an array is the function's JSON, as the runtime serialized it: compared as JSON.
            That(JsonNode.DeepEquals(JsonNode.Parse(answer.Body), JsonNode.Parse(response.Body)), $"body: expected JSON {Encoding.UTF8.GetString(answer.Body)}");
            return;
        }

        That(response.Body.AsSpan().SequenceEqual(answer.Body),
            $"body: expected {Quote(Encoding.UTF8.GetString(answer.Body))} ({answer.Body.Length} bytes), got {response.Body.Length} bytes");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // A raw HTTP/1.1 client: bytes as generated, every header line as the server sent it.
    // ---------------------------------------------------------------------------------------------------------------

    private sealed record RawResponse(int Status, List<(string Name, string Value)> Headers, byte[] Body, string Head)
    {
        public string? Header(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

        public string[] Values(string name) => [.. Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

        public string Show() => Head + (Body.Length == 0 ? "" : "\n" + Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 4000)));
    }

    /// <summary>One keep-alive connection, opened again when the server closes it.</summary>
    private sealed class RawConnection(Uri endpoint) : IAsyncDisposable
    {
        private TcpClient? _client;
        private NetworkStream? _stream;
        private readonly List<byte> _pending = [];

        /// <summary>Writes <paramref name="request"/> (one request, or several pipelined) and reads that many answers.</summary>
        public async Task<List<RawResponse>> SendAsync(byte[] request, bool headRequest, bool closeAfter = false, int responses = 1)
        {
            using CancellationTokenSource timeout = new(TestHost.Wait);
            if (_stream is null)
            {
                _client = new TcpClient();
                await _client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
                _stream = _client.GetStream();
                _pending.Clear();
            }

            await _stream.WriteAsync(request, timeout.Token);
            List<RawResponse> answers = [];
            for (int r = 0; r < responses; r++)
            {
                answers.Add(await ReadResponseAsync(headRequest, closeAfter && r == responses - 1, timeout.Token));
            }

            return answers;
        }

        private async Task<RawResponse> ReadResponseAsync(bool headRequest, bool closeAfter, CancellationToken cancel)
        {
            string head;
            string[] lines;
            int status;
            do
            {
                // An interim 100 Continue (for Expect) comes first: the answer is the one after it.
                head = Encoding.Latin1.GetString(await ReadHeadAsync(cancel));
                lines = head.Split("\r\n");
                status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            }
            while (status is >= 100 and < 200);
            List<(string, string)> headers = [];
            foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                // Sent as UTF-8 by nobody here (values are ASCII); Latin-1 keeps any byte visible.
                headers.Add((line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
            }

            RawResponse partial = new(status, headers, [], head);
            byte[] body;
            if (headRequest || status is 204 or 304 || status < 200)
            {
                body = [];
            }
            else if (partial.Header("content-length") is { } length)
            {
                body = await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancel);
            }
            else if (partial.Header("transfer-encoding") is { } encoding && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = await ReadChunkedAsync(cancel);
            }
            else
            {
                body = await ReadToEndAsync(cancel);
                await CloseAsync();
            }

            if (closeAfter || partial.Header("connection") is { } connection && connection.Contains("close", StringComparison.OrdinalIgnoreCase))
            {
                await CloseAsync();
            }

            return partial with { Body = body };
        }

        private async Task<byte[]> ReadHeadAsync(CancellationToken cancel)
        {
            while (true)
            {
                int end = IndexOf(_pending, "\r\n\r\n"u8);
                if (end >= 0)
                {
                    byte[] head = [.. _pending.GetRange(0, end)];
                    _pending.RemoveRange(0, end + 4);
                    return head;
                }

                await FillAsync(cancel);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancel)
        {
            while (_pending.Count < count)
            {
                await FillAsync(cancel);
            }

            byte[] bytes = [.. _pending.GetRange(0, count)];
            _pending.RemoveRange(0, count);
            return bytes;
        }

        private async Task<byte[]> ReadChunkedAsync(CancellationToken cancel)
        {
            List<byte> body = [];
            while (true)
            {
                int end;
                while ((end = IndexOf(_pending, "\r\n"u8)) < 0)
                {
                    await FillAsync(cancel);
                }

                int size = Convert.ToInt32(Encoding.ASCII.GetString([.. _pending.GetRange(0, end)]).Split(';')[0].Trim(), 16);
                _pending.RemoveRange(0, end + 2);
                byte[] chunk = await ReadExactlyAsync(size + 2, cancel);
                if (size == 0)
                {
                    return [.. body];
                }

                body.AddRange(chunk.AsSpan(0, size).ToArray());
            }
        }

        private async Task<byte[]> ReadToEndAsync(CancellationToken cancel)
        {
            byte[] buffer = new byte[8192];
            int read;
            while ((read = await _stream!.ReadAsync(buffer, cancel)) > 0)
            {
                _pending.AddRange(buffer.AsSpan(0, read).ToArray());
            }

            byte[] all = [.. _pending];
            _pending.Clear();
            return all;
        }

        private async Task FillAsync(CancellationToken cancel)
        {
            byte[] buffer = new byte[8192];
            int read = await _stream!.ReadAsync(buffer, cancel);
            if (read == 0)
            {
                throw new IOException("the server closed the connection mid-answer");
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> value)
        {
            for (int k = 0; k + value.Length <= bytes.Count; k++)
            {
                bool match = true;
                for (int m = 0; m < value.Length && match; m++)
                {
                    match = bytes[k + m] == value[m];
                }

                if (match)
                {
                    return k;
                }
            }

            return -1;
        }

        private ValueTask CloseAsync()
        {
            _stream?.Dispose();
            _client?.Dispose();
            _stream = null;
            _client = null;
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => CloseAsync();
    }
}
