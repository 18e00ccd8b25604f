using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Function URLs end to end: the URL configs through the AWS CLI, and requests to
/// <c>{url-id}.lambda-url.us-east-1.localhost:{port}</c> on the listener <c>handshake up</c> has, answered by Node.js
/// functions in real child processes (functions/node-url).
/// </summary>
public sealed partial class FunctionUrlTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:";

    [Fact]
    public async Task The_AWS_CLI_creates_gets_updates_lists_and_deletes_url_configs_with_Lambdas_errors()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "cli-url", "index.echo");
        server.Test.Host.CreateAlias("cli-url", new FunctionAlias { Name = "live", FunctionVersion = FunctionDefinition.LatestVersion });
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        async Task<JsonElement> Aws(params string[] arguments)
        {
            var run = await AwsCli.RunAsync(["lambda", .. arguments, "--endpoint-url", endpoint], environment);
            Assert.True(run.ExitCode == 0, run.Stderr);
            return run.Stdout.Trim().Length == 0 ? default : JsonDocument.Parse(run.Stdout).RootElement.Clone();
        }

        async Task<string> Failure(params string[] arguments)
        {
            var run = await AwsCli.RunAsync(["lambda", .. arguments, "--endpoint-url", endpoint], environment);
            Assert.NotEqual(0, run.ExitCode);
            return run.Stderr;
        }

        JsonElement created = await Aws("create-function-url-config", "--function-name", "cli-url", "--auth-type", "NONE",
            "--cors", "AllowOrigins=https://example.com,AllowMethods=GET,POST,MaxAge=60,AllowCredentials=true");
        string url = created.GetProperty("FunctionUrl").GetString()!;
        Assert.Matches(new Regex($"^http://[a-z0-9]{{32}}\\.lambda-url\\.us-east-1\\.localhost:{server.Endpoint.Port}/$"), url);
        Assert.Equal(Arn + "cli-url", created.GetProperty("FunctionArn").GetString());
        Assert.Equal(("NONE", "BUFFERED"), (created.GetProperty("AuthType").GetString(), created.GetProperty("InvokeMode").GetString()));
        Assert.Equal(["https://example.com"], created.GetProperty("Cors").GetProperty("AllowOrigins").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["GET", "POST"], created.GetProperty("Cors").GetProperty("AllowMethods").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(60, created.GetProperty("Cors").GetProperty("MaxAge").GetInt32());
        Assert.True(created.GetProperty("Cors").GetProperty("AllowCredentials").GetBoolean());
        Assert.Matches(IsoMicroseconds(), created.GetProperty("CreationTime").GetString()!);
        Assert.False(created.TryGetProperty("LastModifiedTime", out _));

        Assert.Contains($"An error occurred (ResourceConflictException) when calling the CreateFunctionUrlConfig operation: Failed to create function url config for [functionArn = {Arn}cli-url]. Error message:  FunctionUrlConfig exists for this Lambda function",
            await Failure("create-function-url-config", "--function-name", "cli-url", "--auth-type", "NONE"));

        JsonElement got = await Aws("get-function-url-config", "--function-name", "cli-url");
        Assert.Equal(url, got.GetProperty("FunctionUrl").GetString());
        Assert.Equal(created.GetProperty("CreationTime").GetString(), got.GetProperty("LastModifiedTime").GetString());

        // Update: the members given change, the URL and the Cors not given stay.
        JsonElement updated = await Aws("update-function-url-config", "--function-name", Arn + "cli-url", "--auth-type", "AWS_IAM");
        Assert.Equal((url, "AWS_IAM"), (updated.GetProperty("FunctionUrl").GetString(), updated.GetProperty("AuthType").GetString()));
        Assert.Equal(60, updated.GetProperty("Cors").GetProperty("MaxAge").GetInt32());

        // An alias has a URL of its own; $LATEST and versions are not qualifiers a URL takes.
        JsonElement alias = await Aws("create-function-url-config", "--function-name", "cli-url", "--qualifier", "live", "--auth-type", "NONE");
        Assert.Equal(Arn + "cli-url:live", alias.GetProperty("FunctionArn").GetString());
        Assert.NotEqual(url, alias.GetProperty("FunctionUrl").GetString());
        Assert.Contains("An error occurred (ValidationException) when calling the CreateFunctionUrlConfig operation: 1 validation error detected: Value '$LATEST' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
            await Failure("create-function-url-config", "--function-name", "cli-url", "--qualifier", "$LATEST", "--auth-type", "NONE"));
        Assert.Contains("An error occurred (ValidationException) when calling the GetFunctionUrlConfig operation: 1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))",
            await Failure("get-function-url-config", "--function-name", "cli-url", "--qualifier", "1"));
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the CreateFunctionUrlConfig operation: Function does not exist",
            await Failure("create-function-url-config", "--function-name", "cli-url", "--qualifier", "nope", "--auth-type", "NONE"));
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the CreateFunctionUrlConfig operation: Function does not exist",
            await Failure("create-function-url-config", "--function-name", "missing", "--auth-type", "NONE"));
        Assert.Contains("An error occurred (ValidationException) when calling the CreateFunctionUrlConfig operation: 1 validation error detected: Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
            await Failure("create-function-url-config", "--function-name", "cli-url", "--qualifier", "other", "--auth-type", "OPEN"));
        Assert.Contains("An error occurred (ValidationException) when calling the UpdateFunctionUrlConfig operation: 1 validation error detected: Value '90000' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400",
            await Failure("update-function-url-config", "--function-name", "cli-url", "--cors", "MaxAge=90000"));
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the GetFunctionUrlConfig operation: The resource you requested does not exist.",
            await Failure("get-function-url-config", "--function-name", "missing"));

        // The list: the unqualified URL first; the CLI pages with NextMarker by itself.
        JsonElement listed = await Aws("list-function-url-configs", "--function-name", "cli-url", "--page-size", "1");
        Assert.Equal([Arn + "cli-url", Arn + "cli-url:live"], listed.GetProperty("FunctionUrlConfigs").EnumerateArray().Select(c => c.GetProperty("FunctionArn").GetString()));
        JsonElement firstPage = await Aws("list-function-url-configs", "--function-name", "cli-url", "--max-items", "1");
        Assert.Equal(1, firstPage.GetProperty("FunctionUrlConfigs").GetArrayLength());
        Assert.True(firstPage.TryGetProperty("NextToken", out _));
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the ListFunctionUrlConfigs operation: Function does not exist",
            await Failure("list-function-url-configs", "--function-name", "missing"));

        // Deleting the alias deletes its URL; then the function's own goes.
        await Aws("delete-alias", "--function-name", "cli-url", "--name", "live");
        Assert.Equal(1, (await Aws("list-function-url-configs", "--function-name", "cli-url")).GetProperty("FunctionUrlConfigs").GetArrayLength());
        await Aws("delete-function-url-config", "--function-name", "cli-url");
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the DeleteFunctionUrlConfig operation: The resource you requested does not exist.",
            await Failure("delete-function-url-config", "--function-name", "cli-url"));
        Assert.Equal(0, (await Aws("list-function-url-configs", "--function-name", "cli-url")).GetProperty("FunctionUrlConfigs").GetArrayLength());

        // Created again, the URL is the same one (stable per function and qualifier).
        Assert.Equal(url, (await Aws("create-function-url-config", "--function-name", "cli-url", "--auth-type", "NONE")).GetProperty("FunctionUrl").GetString());
    }

    [Fact]
    public async Task The_Node_SDK_manages_url_configs_and_its_URL_answers_plain_HTTP()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "url-sdk", "index.echo");
        server.Test.Host.CreateAlias("url-sdk", new FunctionAlias { Name = "live", FunctionVersion = FunctionDefinition.LatestVersion });
        string script = Path.Combine(AppContext.BaseDirectory, "node", "lambda-urls.cjs");
        var run = await Repository.RunAsync("node", [script, server.Endpoint.ToString()], Repository.AwsEnvironment(server.Endpoint));
        Assert.True(run.ExitCode == 0, run.Stderr);
        JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

        JsonElement created = result.GetProperty("created");
        string url = created.GetProperty("url").GetString()!;
        Assert.Matches(new Regex($"^http://[a-z0-9]{{32}}\\.lambda-url\\.us-east-1\\.localhost:{server.Endpoint.Port}/$"), url);
        Assert.Equal((Arn + "url-sdk", "NONE", "BUFFERED", 10), (created.GetProperty("arn").GetString(), created.GetProperty("auth").GetString(),
            created.GetProperty("mode").GetString(), created.GetProperty("maxAge").GetInt32()));
        Assert.Matches(IsoMicroseconds(), created.GetProperty("creation").GetString()!);
        Assert.Equal(Arn + "url-sdk:live", result.GetProperty("alias").GetProperty("arn").GetString());
        Assert.Equal(("ResourceConflictException", 409), (result.GetProperty("conflict").GetProperty("name").GetString(), result.GetProperty("conflict").GetProperty("status").GetInt32()));
        Assert.Equal(("RESPONSE_STREAM", "NONE", url), (result.GetProperty("updated").GetProperty("mode").GetString(), result.GetProperty("updated").GetProperty("auth").GetString(),
            result.GetProperty("updated").GetProperty("url").GetString()));
        Assert.Equal((Arn + "url-sdk:live", "AWS_IAM"), (result.GetProperty("got").GetProperty("arn").GetString(), result.GetProperty("got").GetProperty("auth").GetString()));
        Assert.Equal([Arn + "url-sdk", Arn + "url-sdk:live"], result.GetProperty("listed").EnumerateArray().Select(a => a.GetString()));

        // The URL (RESPONSE_STREAM by now, for a function that does not stream: answered as BUFFERED) and the alias's
        // AWS_IAM URL, unsigned.
        JsonElement invoked = result.GetProperty("invoked");
        Assert.Equal(200, invoked.GetProperty("status").GetInt32());
        Assert.Equal("/from-sdk", JsonDocument.Parse(invoked.GetProperty("body").GetString()!).RootElement.GetProperty("rawPath").GetString());
        Assert.Equal(403, result.GetProperty("unsigned").GetProperty("status").GetInt32());
        Assert.Equal(("ResourceNotFoundException", "The resource you requested does not exist.", 404), (result.GetProperty("missing").GetProperty("name").GetString(),
            result.GetProperty("missing").GetProperty("message").GetString(), result.GetProperty("missing").GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task A_request_to_the_URL_invokes_the_function_with_the_payload_format_2_0_event()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "echo-url", "index.echo");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "echo-url", """{"AuthType":"NONE"}""");
        string urlId = url.Host[..url.Host.IndexOf('.')];

        using HttpRequestMessage post = Request(HttpMethod.Post, server, url, "/orders/a%2Fb?tag=x&tag=y&q=hello%20world&empty");
        post.Headers.Add("Cookie", "session=abc; theme=dark");
        post.Headers.Add("X-Multi", ["one", "two"]);  // HttpClient sends these as one line, "one, two"
        post.Headers.UserAgent.ParseAdd("url-test/1.0");
        post.Content = new StringContent("hello body", Encoding.UTF8, "text/plain");
        using HttpResponseMessage response = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement e = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(("2.0", "$default"), (e.GetProperty("version").GetString(), e.GetProperty("routeKey").GetString()));
        Assert.Equal(("/orders/a%2Fb", "tag=x&tag=y&q=hello%20world&empty"), (e.GetProperty("rawPath").GetString(), e.GetProperty("rawQueryString").GetString()));
        Assert.Equal(["session=abc", "theme=dark"], e.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
        JsonElement headers = e.GetProperty("headers");
        Assert.Equal("one, two", headers.GetProperty("x-multi").GetString());
        Assert.Equal("text/plain; charset=utf-8", headers.GetProperty("content-type").GetString());
        Assert.Equal($"{url.Host}:{server.Endpoint.Port}", headers.GetProperty("host").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
        Assert.True(headers.EnumerateObject().All(h => h.Name == h.Name.ToLowerInvariant()));
        Assert.Equal("http", headers.GetProperty("x-forwarded-proto").GetString());
        Assert.StartsWith("Root=1-", headers.GetProperty("x-amzn-trace-id").GetString());
        JsonElement query = e.GetProperty("queryStringParameters");
        Assert.Equal(("x,y", "hello world", ""), (query.GetProperty("tag").GetString(), query.GetProperty("q").GetString(), query.GetProperty("empty").GetString()));

        JsonElement context = e.GetProperty("requestContext");
        Assert.Equal(("anonymous", urlId, urlId), (context.GetProperty("accountId").GetString(), context.GetProperty("apiId").GetString(), context.GetProperty("domainPrefix").GetString()));
        Assert.Equal(url.Host, context.GetProperty("domainName").GetString());
        Assert.Equal(("$default", "$default"), (context.GetProperty("routeKey").GetString(), context.GetProperty("stage").GetString()));
        Assert.False(context.TryGetProperty("authorizer", out _));
        JsonElement httpContext = context.GetProperty("http");
        Assert.Equal(("POST", "/orders/a%2Fb", "HTTP/1.1", "127.0.0.1", "url-test/1.0"), (httpContext.GetProperty("method").GetString(), httpContext.GetProperty("path").GetString(),
            httpContext.GetProperty("protocol").GetString(), httpContext.GetProperty("sourceIp").GetString(), httpContext.GetProperty("userAgent").GetString()));
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), context.GetProperty("requestId").GetString());
        Assert.Matches(new Regex(@"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$"), context.GetProperty("time").GetString()!);
        long epoch = context.GetProperty("timeEpoch").GetInt64();
        Assert.InRange(epoch, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
        Assert.Equal(("hello body", false), (e.GetProperty("body").GetString(), e.GetProperty("isBase64Encoded").GetBoolean()));

        // A binary body (and a form post, and no Content-Type at all) arrives base64-encoded.
        byte[] binary = [0, 1, 2, 250, 255];
        JsonElement octets = await EchoAsync(http, server, url, HttpMethod.Put, "/bin", new ByteArrayContent(binary) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });
        Assert.Equal((Convert.ToBase64String(binary), true), (octets.GetProperty("body").GetString(), octets.GetProperty("isBase64Encoded").GetBoolean()));
        JsonElement form = await EchoAsync(http, server, url, HttpMethod.Post, "/", new FormUrlEncodedContent([new("a", "1")]));
        Assert.Equal((Convert.ToBase64String("a=1"u8), true), (form.GetProperty("body").GetString(), form.GetProperty("isBase64Encoded").GetBoolean()));
        JsonElement json = await EchoAsync(http, server, url, HttpMethod.Post, "/", new StringContent("""{"k":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(("""{"k":1}""", false), (json.GetProperty("body").GetString(), json.GetProperty("isBase64Encoded").GetBoolean()));

        // A GET with nothing: no body, cookies or query members; the path "/".
        JsonElement bare = await EchoAsync(http, server, url, HttpMethod.Get, "/", null);
        Assert.Equal(("/", "", false), (bare.GetProperty("rawPath").GetString(), bare.GetProperty("rawQueryString").GetString(), bare.GetProperty("isBase64Encoded").GetBoolean()));
        Assert.False(bare.TryGetProperty("body", out _));
        Assert.False(bare.TryGetProperty("cookies", out _));
        Assert.False(bare.TryGetProperty("queryStringParameters", out _));

        // A header sent twice (raw, since HttpClient joins values itself) arrives as one, its values joined by a comma.
        string raw = await RawAsync(server, $"GET /raw HTTP/1.1\r\nHost: {url.Host}:{url.Port}\r\nX-Multi: one\r\nX-Multi: two\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", raw);
        Assert.Equal("one,two", JsonDocument.Parse(raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement.GetProperty("headers").GetProperty("x-multi").GetString());

        // Seven requests, one after another: one warm environment served them all.
        Assert.Equal(1, server.Test.Host.PeakEnvironmentCount("echo-url"));
    }

    [Fact]
    public async Task The_functions_answer_becomes_the_HTTP_response_and_failures_are_AWSs_answers()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "respond-url", "index.respond");
        AddUrlFunction(server.Test, "fail-url", "index.fail");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "respond-url", """{"AuthType":"NONE"}""");
        Uri failing = await CreateUrlAsync(http, "fail-url", """{"AuthType":"NONE"}""");

        using (HttpResponseMessage shaped = await RespondAsync(http, server, url, """
            {"statusCode":201,"headers":{"content-type":"text/plain","x-one":"1","x-number":7},"multiValueHeaders":{"x-many":["p","q"]},
             "cookies":["c1=v1","c2=v2; Path=/; HttpOnly"],"body":"created"}
            """))
        {
            Assert.Equal(HttpStatusCode.Created, shaped.StatusCode);
            Assert.Equal("text/plain", shaped.Content.Headers.ContentType!.MediaType);
            Assert.Equal("1", shaped.Headers.GetValues("x-one").Single());
            Assert.Equal("7", shaped.Headers.GetValues("x-number").Single());
            Assert.Equal(["p", "q"], shaped.Headers.GetValues("x-many"));
            Assert.Equal(["c1=v1", "c2=v2; Path=/; HttpOnly"], shaped.Headers.GetValues("Set-Cookie"));
            Assert.Equal("created", await shaped.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage binary = await RespondAsync(http, server, url, """{"statusCode":200,"headers":{"content-type":"image/png"},"body":"AAEC+v8=","isBase64Encoded":true}"""))
        {
            Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
            Assert.Equal(new byte[] { 0, 1, 2, 250, 255 }, await binary.Content.ReadAsByteArrayAsync());
        }

        // No statusCode: AWS infers 200, application/json and the JSON as the body; a JSON string is its text.
        using (HttpResponseMessage inferred = await RespondAsync(http, server, url, """{"hello":"world","n":[1,2]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, inferred.StatusCode);
            Assert.Equal("application/json", inferred.Content.Headers.ContentType!.MediaType);
            Assert.Equal("""{"hello":"world","n":[1,2]}""", await inferred.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage text = await RespondAsync(http, server, url, "\"just text\""))
        {
            Assert.Equal(HttpStatusCode.OK, text.StatusCode);
            Assert.Equal("just text", await text.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage noContentType = await RespondAsync(http, server, url, """{"statusCode":204}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, noContentType.StatusCode);
            Assert.Empty(await noContentType.Content.ReadAsByteArrayAsync());
        }

        // An answer that is not a response, and a function error: 502, AWS's body.
        foreach (string broken in new[]
        {
            """{"statusCode":"abc"}""", """{"statusCode":200,"body":{"not":"a string"}}""", """{"statusCode":200,"headers":{"x-bad":"a\r\nInjected: 1"}}""",
            """{"statusCode":200,"headers":{"bad name":"v"}}""", """{"statusCode":200,"body":"%%%","isBase64Encoded":true}""",
        })
        {
            using HttpResponseMessage bad = await RespondAsync(http, server, url, broken);
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
            Assert.Equal("Internal Server Error", await bad.Content.ReadAsStringAsync());
        }

        using (HttpRequestMessage request = Request(HttpMethod.Get, server, failing, "/"))
        using (HttpResponseMessage failed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal("Internal Server Error", await failed.Content.ReadAsStringAsync());
        }

        Assert.Contains(await server.Test.LogMessagesAsync("fail-url"), m => m.Contains("url boom", StringComparison.Ordinal));

        // A url-id nobody created, another region's, and a deleted URL: 403 Forbidden, as AWS answers.
        Uri unknown = new($"http://{new string('a', 32)}.lambda-url.us-east-1.localhost:{server.Endpoint.Port}/");
        Uri otherRegion = new(url.ToString().Replace("us-east-1", "eu-west-1", StringComparison.Ordinal));
        using (HttpResponseMessage deleted = await http.DeleteAsync("/2021-10-31/functions/fail-url/url"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        foreach (Uri gone in new[] { unknown, otherRegion, failing })
        {
            using HttpRequestMessage request = Request(HttpMethod.Get, server, gone, "/");
            using HttpResponseMessage forbidden = await http.SendAsync(request);
            await AssertForbiddenAsync(forbidden);
        }

        // The failed invocation's environment was replaced, and no request started a second one for a URL that answered.
        Assert.Equal(1, server.Test.Host.PeakEnvironmentCount("respond-url"));
    }

    [Fact]
    public async Task An_AWS_IAM_URL_refuses_unsigned_requests_and_passes_the_signer_to_the_event()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "iam-url", "index.echo");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "iam-url", """{"AuthType":"AWS_IAM"}""");

        using (HttpRequestMessage unsigned = Request(HttpMethod.Get, server, url, "/"))
        using (HttpResponseMessage refused = await http.SendAsync(unsigned))
        {
            await AssertForbiddenAsync(refused);
        }

        // `--auth off` (this server's mode): any SigV4 Authorization header is accepted; its access key is the caller.
        using HttpRequestMessage signed = Request(HttpMethod.Get, server, url, "/private");
        signed.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDURLCALLER/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        using HttpResponseMessage answered = await http.SendAsync(signed);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        JsonElement context = JsonDocument.Parse(await answered.Content.ReadAsStringAsync()).RootElement.GetProperty("requestContext");
        Assert.Equal("000000000000", context.GetProperty("accountId").GetString());
        JsonElement iam = context.GetProperty("authorizer").GetProperty("iam");
        Assert.Equal(("AKIDURLCALLER", "000000000000"), (iam.GetProperty("accessKey").GetString(), iam.GetProperty("accountId").GetString()));

        // Back to NONE: no signature needed.
        using (HttpResponseMessage update = await http.PutAsync("/2021-10-31/functions/iam-url/url", new StringContent("""{"AuthType":"NONE"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        }

        using HttpRequestMessage open = Request(HttpMethod.Get, server, url, "/");
        using HttpResponseMessage opened = await http.SendAsync(open);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
    }

    [Fact]
    public async Task A_URL_with_Cors_answers_preflights_itself_and_adds_its_headers_to_the_functions_answers()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "cors-url", "index.echo");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "cors-url", """
            {"AuthType":"AWS_IAM","Cors":{"AllowOrigins":["https://app.example"],"AllowMethods":["GET","PUT"],"AllowHeaders":["x-custom"],"ExposeHeaders":["x-out"],"MaxAge":300}}
            """);

        // A preflight needs no signature, even on an AWS_IAM URL, and never reaches the function.
        using HttpRequestMessage preflight = Request(HttpMethod.Options, server, url, "/anything");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        using HttpResponseMessage allowed = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET,PUT", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-custom", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("300", allowed.Headers.GetValues("Access-Control-Max-Age").Single());

        using HttpRequestMessage stranger = Request(HttpMethod.Options, server, url, "/");
        stranger.Headers.Add("Origin", "https://evil.example");
        stranger.Headers.Add("Access-Control-Request-Method", "GET");
        using HttpResponseMessage refused = await http.SendAsync(stranger);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(0, server.Test.Host.PeakEnvironmentCount("cors-url"));

        using HttpRequestMessage actual = Request(HttpMethod.Get, server, url, "/");
        actual.Headers.Add("Origin", "https://app.example");
        actual.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCORS/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00");
        using HttpResponseMessage answered = await http.SendAsync(actual);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("https://app.example", answered.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("x-out", answered.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.Equal(1, server.Test.Host.PeakEnvironmentCount("cors-url"));
    }

    [Fact]
    public async Task A_RESPONSE_STREAM_URL_passes_each_piece_on_as_it_is_written_with_the_functions_status_and_headers()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "stream-url", "index.stream");
        AddUrlFunction(server.Test, "raw-stream-url", "index.rawStream");
        AddUrlFunction(server.Test, "held-url", "index.held");
        AddUrlFunction(server.Test, "buffered-stream-url", "index.echo");
        using HttpClient http = server.Client();
        const string Streamed = """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""";
        Uri streamUrl = await CreateUrlAsync(http, "stream-url", Streamed);

        using (HttpRequestMessage request = Request(HttpMethod.Get, server, streamUrl, "/"))
        using (HttpResponseMessage response = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True(response.Headers.TransferEncodingChunked);
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("yes", response.Headers.GetValues("x-streamed").Single());
            Assert.Equal("s=1", response.Headers.GetValues("Set-Cookie").Single());
            Assert.Equal("first,second", await response.Content.ReadAsStringAsync());
        }

        using (HttpRequestMessage request = Request(HttpMethod.Get, server, await CreateUrlAsync(http, "raw-stream-url", Streamed), "/"))
        using (HttpResponseMessage response = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("a,b\n1,2\n", await response.Content.ReadAsStringAsync());
        }

        // A function that does not stream is answered as a BUFFERED URL answers.
        JsonElement echoed = await EchoAsync(http, server, await CreateUrlAsync(http, "buffered-stream-url", Streamed), HttpMethod.Get, "/?via=stream", null);
        Assert.Equal("stream", echoed.GetProperty("queryStringParameters").GetProperty("via").GetString());

        // The first piece reaches the caller while the function still runs: it ends only once the caller has it.
        string hold = Path.Combine(Path.GetTempPath(), "handshake-url-hold-" + Guid.NewGuid().ToString("N"));
        try
        {
            Uri heldUrl = await CreateUrlAsync(http, "held-url", Streamed);
            using HttpRequestMessage request = Request(HttpMethod.Get, server, heldUrl, "/?hold=" + Uri.EscapeDataString(hold));
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            byte[] first = new byte["before hold;".Length];
            await body.ReadExactlyAsync(first).AsTask().WaitAsync(TestHost.Wait);
            Assert.Equal("before hold;", Encoding.UTF8.GetString(first));
            await File.WriteAllTextAsync(hold, "");
            using StreamReader rest = new(body);
            Assert.Equal("after hold", await rest.ReadToEndAsync().WaitAsync(TestHost.Wait));
        }
        finally
        {
            File.Delete(hold);
        }
    }

    internal static void AddUrlFunction(TestHost test, string name, string handler) =>
        test.Host.CreateFunction(new FunctionDefinition
        {
            Name = name,
            Runtime = "nodejs20.x",
            Handler = handler,
            CodeDirectory = Path.Combine(AppContext.BaseDirectory, "functions", "node-url"),
            Timeout = 30,
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
        });

    private static async Task<Uri> CreateUrlAsync(HttpClient http, string function, string body)
    {
        using HttpResponseMessage created = await http.PostAsync($"/2021-10-31/functions/{function}/url", new StringContent(body));
        string text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        return new Uri(JsonDocument.Parse(text).RootElement.GetProperty("FunctionUrl").GetString()!);
    }

    /// <summary>
    /// A request for the URL, sent to the endpoint's address with the URL's Host: what curl does when it resolves
    /// *.localhost to the loopback address itself.
    /// </summary>
    private static HttpRequestMessage Request(HttpMethod method, LambdaServer server, Uri url, string pathAndQuery)
    {
        HttpRequestMessage request = new(method, new Uri(server.Endpoint, pathAndQuery));
        request.Headers.Host = $"{url.Host}:{url.Port}";
        return request;
    }

    private static async Task<JsonElement> EchoAsync(HttpClient http, LambdaServer server, Uri url, HttpMethod method, string path, HttpContent? content)
    {
        using HttpRequestMessage request = Request(method, server, url, path);
        request.Content = content;
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>One raw HTTP/1.1 exchange on a new connection, read to the server's close.</summary>
    internal static async Task<string> RawAsync(LambdaServer server, string request)
    {
        using System.Net.Sockets.TcpClient client = new();
        await client.ConnectAsync(server.Endpoint.Host, server.Endpoint.Port);
        System.Net.Sockets.NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using StreamReader reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        return await reader.ReadToEndAsync().WaitAsync(TestHost.Wait);
    }

    /// <summary>The respond handler returns the request's body as its answer.</summary>
    private static Task<HttpResponseMessage> RespondAsync(HttpClient http, LambdaServer server, Uri url, string answer)
    {
        HttpRequestMessage request = Request(HttpMethod.Post, server, url, "/");
        request.Content = new StringContent(answer, Encoding.UTF8, "application/json");
        return http.SendAsync(request);
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("AccessDeniedException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("""{"Message":"Forbidden"}""", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex IsoMicroseconds();
}
