using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>POST /2015-03-31/functions/{name}/invocations over HTTP, with Lambda's statuses, headers and errors.</summary>
public sealed class InvokeApiTests
{
    private static HttpRequestMessage Invoke(string function, string payload, string? type = null, string? logType = null, string? qualifier = null)
    {
        HttpRequestMessage request = new(HttpMethod.Post, $"/2015-03-31/functions/{function}/invocations" + (qualifier is null ? "" : "?Qualifier=" + Uri.EscapeDataString(qualifier)))
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (type is not null)
        {
            request.Headers.Add("X-Amz-Invocation-Type", type);
        }

        if (logType is not null)
        {
            request.Headers.Add("X-Amz-Log-Type", logType);
        }

        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : "";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_ARN_in_another_account_is_not_found_on_Invoke_and_on_the_control_plane(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { AccountId = "123456789012" }, kestrelOnly);
        server.Test.AddBash("mine");
        // One connection: on the loop's listener, the declined call is then answered by Kestrel on the same connection.
        using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };

        async Task Expect(HttpMethod method, string path, HttpStatusCode status, string errorType, string message, HttpContent? content = null)
        {
            using HttpRequestMessage request = new(method, path) { Content = content };
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(errorType, Header(response, "x-amzn-ErrorType"));
            Assert.Equal(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        }

        string Escaped(string name) => Uri.EscapeDataString(name);
        const string other = "arn:aws:lambda:us-east-1:111111111111:function:mine";
        const string notFound = "Function not found: " + other;

        // The host's own account, in a full and a partial ARN: found.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke(Escaped("arn:aws:lambda:us-east-1:123456789012:function:mine"), "{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke(Escaped("123456789012:function:mine"), "{}"))).StatusCode);

        // Another account: no function of the host is there, whatever its name.
        await Expect(HttpMethod.Post, $"/2015-03-31/functions/{Escaped(other)}/invocations", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound, new StringContent("{}"));
        await Expect(HttpMethod.Post, $"/2015-03-31/functions/{Escaped("111111111111:function:mine")}/invocations", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound, new StringContent("{}"));
        await Expect(HttpMethod.Post, $"/2015-03-31/functions/{Escaped(other + ":$LATEST")}/invocations", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound + ":$LATEST", new StringContent("{}"));
        await Expect(HttpMethod.Post, $"/2015-03-31/functions/{Escaped(other)}/invocations?Qualifier=%24LATEST", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound + ":$LATEST", new StringContent("{}"));
        await Expect(HttpMethod.Get, $"/2015-03-31/functions/{Escaped(other)}", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound);
        await Expect(HttpMethod.Get, $"/2015-03-31/functions/{Escaped("111111111111:function:mine")}/configuration", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound);
        await Expect(HttpMethod.Put, $"/2015-03-31/functions/{Escaped(other)}/configuration", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound, new StringContent("""{"Timeout":5}"""));
        await Expect(HttpMethod.Put, $"/2017-10-31/functions/{Escaped(other)}/concurrency", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound, new StringContent("""{"ReservedConcurrentExecutions":1}"""));
        await Expect(HttpMethod.Get, $"/2019-09-30/functions/{Escaped(other)}/concurrency", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound);
        await Expect(HttpMethod.Delete, $"/2015-03-31/functions/{Escaped(other)}", HttpStatusCode.NotFound, "ResourceNotFoundException", notFound);
        // The region is checked first, with its own wording; an account that is not 12 digits breaks the model's pattern.
        await Expect(HttpMethod.Post, $"/2015-03-31/functions/{Escaped("arn:aws:lambda:eu-west-1:111111111111:function:mine")}/invocations", HttpStatusCode.NotFound,
            "ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')", new StringContent("{}"));
        using (HttpResponseMessage pattern = await http.PostAsync($"/2015-03-31/functions/{Escaped("arn:aws:lambda:us-east-1:1234:function:mine")}/invocations", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, pattern.StatusCode);
            Assert.Equal("ValidationException", Header(pattern, "x-amzn-ErrorType"));
        }

        // Nothing was changed or deleted, and the function is still served.
        JsonElement configuration = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/mine")).RootElement.GetProperty("Configuration");
        Assert.Equal(10, configuration.GetProperty("Timeout").GetDouble());
        Assert.False(JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/mine")).RootElement.TryGetProperty("Concurrency", out _));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke("mine", "{}"))).StatusCode);
    }

    [Fact]
    public async Task RequestResponse_answers_200_with_the_payload_and_the_version()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("echo");
        using HttpClient http = server.Client();

        HttpResponseMessage response = await http.SendAsync(Invoke("echo", """{"a":1}""", logType: "Tail"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"a":1}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("$LATEST", Header(response, "X-Amz-Executed-Version"));
        Assert.Equal("", Header(response, "X-Amz-Function-Error"));
        Assert.Contains("START RequestId:", Encoding.UTF8.GetString(Convert.FromBase64String(Header(response, "X-Amz-Log-Result"))));
        Assert.NotEmpty(Header(response, "x-amzn-RequestId"));
    }

    [Fact]
    public async Task A_function_error_sets_X_Amz_Function_Error_Unhandled()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("fails");
        using HttpClient http = server.Client();

        HttpResponseMessage response = await http.SendAsync(Invoke("fails", """{"fail":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", Header(response, "X-Amz-Function-Error"));
        Assert.Equal("failed on purpose", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task DryRun_answers_204_without_running_and_Event_answers_202_and_runs()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("modes");
        using HttpClient http = server.Client();

        HttpResponseMessage dry = await http.SendAsync(Invoke("modes", "{}", type: "DryRun"));
        Assert.Equal(HttpStatusCode.NoContent, dry.StatusCode);
        Assert.Equal(0, server.Test.Host.EnvironmentCount("modes"));

        HttpResponseMessage queued = await http.SendAsync(Invoke("modes", "{}", type: "Event"));
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        await server.Test.WaitForLogAsync("modes", m => m.StartsWith("REPORT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Service_errors_have_Lambdas_types_statuses_and_bodies()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { AccountId = "123456789012" });
        server.Test.AddBash("echo");
        server.Test.AddBash("off", reserved: 0);
        using HttpClient http = server.Client();

        HttpResponseMessage missing = await http.SendAsync(Invoke("nope", "{}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("ResourceNotFoundException", Header(missing, "x-amzn-ErrorType"));
        Assert.Equal("""{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}""", await missing.Content.ReadAsStringAsync());

        HttpResponseMessage version = await http.SendAsync(Invoke("echo", "{}", qualifier: "7"));
        Assert.Equal(HttpStatusCode.NotFound, version.StatusCode);
        Assert.Contains("function:echo:7", await version.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke("echo", "{}", qualifier: "$LATEST"))).StatusCode);

        HttpResponseMessage tooLarge = await http.SendAsync(Invoke("echo", "\"" + new string('x', 6 * 1024 * 1024) + "\""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("RequestTooLargeException", Header(tooLarge, "x-amzn-ErrorType"));
        Assert.Contains("Request must be smaller than 6291456 bytes for the InvokeFunction operation", await tooLarge.Content.ReadAsStringAsync());

        HttpResponseMessage badJson = await http.SendAsync(Invoke("echo", "{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", Header(badJson, "x-amzn-ErrorType"));

        HttpResponseMessage throttled = await http.SendAsync(Invoke("off", "{}"));
        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
        Assert.Equal("TooManyRequestsException", Header(throttled, "x-amzn-ErrorType"));
        Assert.Equal("""{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}""", await throttled.Content.ReadAsStringAsync());

        HttpResponseMessage badType = await http.SendAsync(Invoke("echo", "{}", type: "Sometimes"));
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
        Assert.Equal("ValidationException", Header(badType, "x-amzn-ErrorType"));

        // The host goes on serving.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke("echo", "{}"))).StatusCode);
    }

    [Fact]
    public async Task Request_level_edges_are_answered_as_Lambda_answers_them()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("edges");
        using HttpClient http = server.Client();

        async Task Expect(HttpRequestMessage request, HttpStatusCode status, string errorType, string message)
        {
            HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(errorType, Header(response, "x-amzn-ErrorType"));
            Assert.Equal(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        }

        HttpRequestMessage WithContext(string clientContext)
        {
            HttpRequestMessage request = Invoke("edges", "{}");
            request.Headers.Add("X-Amz-Client-Context", clientContext);
            return request;
        }

        const string badContext = "Client context must be a valid Base64-encoded JSON object.";
        await Expect(WithContext("not base64!"), HttpStatusCode.BadRequest, "InvalidRequestContentException", badContext);
        await Expect(WithContext(Convert.ToBase64String("plain text"u8)), HttpStatusCode.BadRequest, "InvalidRequestContentException", badContext);
        await Expect(WithContext(Convert.ToBase64String("[1,2]"u8)), HttpStatusCode.BadRequest, "InvalidRequestContentException", badContext);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(WithContext(Convert.ToBase64String("""{"custom":{}}"""u8)))).StatusCode);

        await Expect(Invoke("edges", "{}", logType: "Full"), HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value 'Full' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke("edges", "{}", logType: "None"))).StatusCode);

        // Name forms: a partial ARN, name:$LATEST (also with the same ?Qualifier=), an unknown alias, a conflicting
        // ?Qualifier=, an ARN in another region.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke(Uri.EscapeDataString("000000000000:function:edges"), "{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke(Uri.EscapeDataString("edges:$LATEST"), "{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke(Uri.EscapeDataString("edges:$LATEST"), "{}", qualifier: "$LATEST"))).StatusCode);
        await Expect(Invoke("edges:live", "{}"), HttpStatusCode.NotFound, "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:edges:live");
        await Expect(Invoke(Uri.EscapeDataString("edges:$LATEST"), "{}", qualifier: "live"), HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "The derived qualifier from the function name does not match the specified qualifier.");
        await Expect(Invoke(Uri.EscapeDataString("arn:aws:lambda:eu-west-1:000000000000:function:edges"), "{}"), HttpStatusCode.NotFound, "ResourceNotFoundException",
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");

        // An Event's limit is 1 MB, and Lambda words it apart from the synchronous one.
        string large = "\"" + new string('x', 1024 * 1024) + "\"";
        await Expect(Invoke("edges", large, type: "Event"), HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLargeException",
            $"{large.Length} byte payload is too large for the Event invocation type (limit 1048576 bytes)");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Invoke("edges", large))).StatusCode);

        HttpResponseMessage badJson = await http.SendAsync(Invoke("edges", "{not json"));
        Assert.StartsWith("Could not parse request body into json: Could not parse payload into json: ",
            JsonDocument.Parse(await badJson.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Client_context_is_checked_for_every_type_but_passed_on_for_synchronous_calls_only()
    {
        await using FunctionHost host = new(new FunctionHostOptions());
        string context = Convert.ToBase64String("""{"custom":{"k":"v"}}"""u8);

        Assert.Equal("""{"custom":{"k":"v"}}""", InvokeApi.Invoke.NewInvocation(host, "r", [], null, "RequestResponse", "", context).ClientContext);
        Assert.Null(InvokeApi.Invoke.NewInvocation(host, "r", [], null, "Event", "", context).ClientContext);
        Assert.Equal("InvalidRequestContentException",
            Assert.Throws<LambdaException>(() => InvokeApi.Invoke.NewInvocation(host, "r", [], null, "Event", "", "W10=")).ErrorType);
    }

    [Fact]
    public async Task An_invocation_by_ARN_works()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("byarn");
        using HttpClient http = server.Client();

        HttpResponseMessage response = await http.SendAsync(Invoke(Uri.EscapeDataString("arn:aws:lambda:us-east-1:000000000000:function:byarn"), "[1]"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[1]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_are_served_as_JSON_pages_and_long_polls()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("logged");
        using HttpClient http = server.Client();
        await http.SendAsync(Invoke("logged", "{}"));

        JsonElement page = JsonDocument.Parse(await http.GetStringAsync("/_handshake/logs/logged")).RootElement;
        List<string> messages = [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
        Assert.Contains(messages, m => m.StartsWith("START RequestId:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal));
        long next = page.GetProperty("nextSequence").GetInt64();
        Assert.Equal(messages.Count, next);

        Task<string> follow = http.GetStringAsync($"/_handshake/logs/logged?from={next}&wait=20");
        await http.SendAsync(Invoke("logged", "{}"));
        JsonElement followed = JsonDocument.Parse(await follow.WaitAsync(TestHost.Wait)).RootElement;
        Assert.NotEqual(0, followed.GetProperty("events").GetArrayLength());
        Assert.Equal(next, followed.GetProperty("events")[0].GetProperty("sequence").GetInt64());

        HttpResponseMessage unknown = await http.GetAsync("/_handshake/logs/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
    [Fact]
    public async Task Invoke_API_answers_before_END_and_REPORT_yet_each_invocation_gets_them_once_and_in_order()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("ordered");
        using HttpClient http = server.Client();
        List<string> ids = [];
        for (int i = 0; i < 3; i++)
        {
            HttpResponseMessage response = await http.SendAsync(Invoke("ordered", "{}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add(response.Headers.GetValues("x-amzn-RequestId").Single());
        }

        JsonElement page = JsonDocument.Parse(await http.GetStringAsync("/_handshake/logs/ordered")).RootElement;
        List<string> lifecycle = [.. page.GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("message").GetString()!)
            .Where(m => m.StartsWith("START ", StringComparison.Ordinal) || m.StartsWith("END ", StringComparison.Ordinal) || m.StartsWith("REPORT ", StringComparison.Ordinal))
            .Select(m => m[..m.IndexOf(' ', StringComparison.Ordinal)] + " " + m.Split(' ', '\t')[2])];
        List<string> expected = [.. ids.SelectMany(id => new[] { "START " + id, "END " + id, "REPORT " + id })];
        Assert.Equal(expected, lifecycle);
    }
}
