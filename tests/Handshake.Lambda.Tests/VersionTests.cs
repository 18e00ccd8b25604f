using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Published versions and aliases over the Invoke API: snapshots that stay immutable while $LATEST changes, every
/// qualifier form, the executed version, weighted routing by counts, the delete rules, reserved concurrency shared by
/// a function's versions, and Lambda's error types and messages.
/// </summary>
public sealed partial class VersionTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:";

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string Type, string Message)> Error(HttpResponseMessage response)
    {
        string type = response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : "";
        string text = await response.Content.ReadAsStringAsync();
        JsonElement body = text.Length > 0 ? JsonDocument.Parse(text).RootElement : default;
        return (response.StatusCode, type, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out JsonElement m) ? m.GetString()! : "");
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode expected)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static object Create(string name, string variable, byte[]? zip = null) => new
    {
        FunctionName = name,
        Runtime = "provided.al2023",
        Role = "arn:aws:iam::000000000000:role/lambda",
        Handler = "function.handler",
        Code = new { ZipFile = Convert.ToBase64String(zip ?? FunctionZip.BashRuntime()) },
        Environment = new { Variables = new Dictionary<string, string> { ["FOO"] = variable } },
    };

    /// <summary>Invokes with the bash runtime's "environment" event: the answer is the environment's variables.</summary>
    private static async Task<(string ExecutedVersion, JsonElement Environment)> InvokeEnvironmentAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.PostAsync(path, new StringContent("""{"environment":1}"""));
        JsonElement body = await Body(response, HttpStatusCode.OK);
        return (response.Headers.GetValues("X-Amz-Executed-Version").Single(), body);
    }

    private static async Task<string> ExecutedVersionAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.PostAsync(path, new StringContent("{}"));
        await Body(response, HttpStatusCode.OK);
        return response.Headers.GetValues("X-Amz-Executed-Version").Single();
    }

    private static async Task PublishAsync(HttpClient http, string name, string expectedVersion, object? body = null)
    {
        JsonElement published = await Body(await http.PostAsync($"/2015-03-31/functions/{name}/versions", Json(body ?? new { })), HttpStatusCode.Created);
        Assert.Equal(expectedVersion, published.GetProperty("Version").GetString());
    }

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2}/\[1\][0-9a-f]{32}$")]
    private static partial Regex VersionOneLogStream();

    [Fact]
    public async Task A_version_is_an_immutable_snapshot_of_zipped_code_and_configuration()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        await Body(await http.PostAsync("/2015-03-31/functions", Json(Create("snap", "one"))), HttpStatusCode.Created);
        JsonElement latest = await Body(await http.GetAsync("/2015-03-31/functions/snap/configuration"), HttpStatusCode.OK);

        JsonElement v1 = await Body(await http.PostAsync("/2015-03-31/functions/snap/versions", Json(new { Description = "first" })), HttpStatusCode.Created);
        Assert.Equal("1", v1.GetProperty("Version").GetString());
        Assert.Equal(Arn + "snap:1", v1.GetProperty("FunctionArn").GetString());
        Assert.Equal("first", v1.GetProperty("Description").GetString());
        Assert.Equal(latest.GetProperty("CodeSha256").GetString(), v1.GetProperty("CodeSha256").GetString());
        // Nothing changed since version 1: publishing answers version 1, as Lambda does.
        await PublishAsync(http, "snap", "1");

        await Body(await http.PutAsync("/2015-03-31/functions/snap/code", Json(new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime("version-2.txt")) })), HttpStatusCode.OK);
        await Body(await http.PutAsync("/2015-03-31/functions/snap/configuration", Json(new { Environment = new { Variables = new Dictionary<string, string> { ["FOO"] = "two" } } })), HttpStatusCode.OK);

        (string executed, JsonElement env) = await InvokeEnvironmentAsync(http, "/2015-03-31/functions/snap/invocations?Qualifier=1");
        Assert.Equal("1", executed);
        Assert.Equal("one", env.GetProperty("FOO").GetString());
        Assert.Equal("1", env.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString());
        Assert.False(File.Exists(Path.Combine(env.GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
        Assert.Matches(VersionOneLogStream(), env.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString());
        Assert.Equal("/aws/lambda/snap", env.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());

        (executed, env) = await InvokeEnvironmentAsync(http, "/2015-03-31/functions/snap/invocations");
        Assert.Equal("$LATEST", executed);
        Assert.Equal("two", env.GetProperty("FOO").GetString());
        Assert.Equal("$LATEST", env.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString());
        Assert.True(File.Exists(Path.Combine(env.GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
        Assert.Contains("/[$LATEST]", env.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString());

        // Each version runs in its own environments, and its START lines name it.
        Assert.Equal(2, server.Test.Host.EnvironmentCount("snap"));
        await server.Test.WaitForLogAsync("snap", line => line.StartsWith("START RequestId: ", StringComparison.Ordinal) && line.EndsWith(" Version: 1", StringComparison.Ordinal));

        JsonElement got = await Body(await http.GetAsync("/2015-03-31/functions/snap/configuration?Qualifier=1"), HttpStatusCode.OK);
        Assert.Equal(Arn + "snap:1", got.GetProperty("FunctionArn").GetString());
        Assert.Equal("one", got.GetProperty("Environment").GetProperty("Variables").GetProperty("FOO").GetString());
        Assert.Equal(latest.GetProperty("CodeSha256").GetString(), got.GetProperty("CodeSha256").GetString());
        JsonElement function = await Body(await http.GetAsync("/2015-03-31/functions/snap:1"), HttpStatusCode.OK);
        Assert.Equal("1", function.GetProperty("Configuration").GetProperty("Version").GetString());

        await PublishAsync(http, "snap", "2");
        JsonElement versions = await Body(await http.GetAsync("/2015-03-31/functions/snap/versions"), HttpStatusCode.OK);
        Assert.Equal(["$LATEST", "1", "2"], versions.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
        Assert.Equal([Arn + "snap:$LATEST", Arn + "snap:1", Arn + "snap:2"], versions.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("FunctionArn").GetString()));
        Assert.Equal("two", versions.GetProperty("Versions")[2].GetProperty("Environment").GetProperty("Variables").GetProperty("FOO").GetString());

        // ListFunctions lists $LATEST only, unless FunctionVersion=ALL (paged by qualified ARN).
        JsonElement functions = await Body(await http.GetAsync("/2015-03-31/functions"), HttpStatusCode.OK);
        Assert.Equal([Arn + "snap"], functions.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionArn").GetString()));
        JsonElement allFirst = await Body(await http.GetAsync("/2015-03-31/functions?FunctionVersion=ALL&MaxItems=2"), HttpStatusCode.OK);
        Assert.Equal([Arn + "snap:$LATEST", Arn + "snap:1"], allFirst.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionArn").GetString()));
        string next = Uri.EscapeDataString(allFirst.GetProperty("NextMarker").GetString()!);
        JsonElement allSecond = await Body(await http.GetAsync($"/2015-03-31/functions?FunctionVersion=ALL&MaxItems=2&Marker={next}"), HttpStatusCode.OK);
        Assert.Equal([Arn + "snap:2"], allSecond.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionArn").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value 'SOME' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]"),
            await Error(await http.GetAsync("/2015-03-31/functions?FunctionVersion=SOME")));
    }

    [Fact]
    public async Task Publish_true_on_create_and_on_code_update_answers_the_new_version()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        var create = new Dictionary<string, object>(JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(Create("pub", "one")))!) { ["Publish"] = true };
        JsonElement created = await Body(await http.PostAsync("/2015-03-31/functions", Json(create)), HttpStatusCode.Created);
        Assert.Equal(("1", Arn + "pub:1"), (created.GetProperty("Version").GetString(), created.GetProperty("FunctionArn").GetString()));

        JsonElement updated = await Body(await http.PutAsync("/2015-03-31/functions/pub/code", Json(new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime("version-2.txt")), Publish = true })), HttpStatusCode.OK);
        Assert.Equal(("2", Arn + "pub:2"), (updated.GetProperty("Version").GetString(), updated.GetProperty("FunctionArn").GetString()));
        JsonElement latest = await Body(await http.GetAsync("/2015-03-31/functions/pub/configuration"), HttpStatusCode.OK);
        Assert.Equal(latest.GetProperty("CodeSha256").GetString(), updated.GetProperty("CodeSha256").GetString());
        Assert.Equal(("$LATEST", Arn + "pub"), (latest.GetProperty("Version").GetString(), latest.GetProperty("FunctionArn").GetString()));
        Assert.Equal("2", await ExecutedVersionAsync(http, "/2015-03-31/functions/pub:2/invocations"));
    }

    [Fact]
    public async Task PublishVersion_checks_RevisionId_and_CodeSha256_with_Lambdas_messages()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        JsonElement created = await Body(await http.PostAsync("/2015-03-31/functions", Json(Create("pre", "one"))), HttpStatusCode.Created);
        string sha = created.GetProperty("CodeSha256").GetString()!;

        var revision = await Error(await http.PostAsync("/2015-03-31/functions/pre/versions", Json(new { RevisionId = "stale" })));
        Assert.Equal((HttpStatusCode.PreconditionFailed, "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"), revision);
        var code = await Error(await http.PostAsync("/2015-03-31/functions/pre/versions", Json(new { CodeSha256 = "abc" })));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException",
            $"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({sha}). Please try again with the CodeSHA256 in $LATEST."), code);
        JsonElement versions = await Body(await http.GetAsync("/2015-03-31/functions/pre/versions"), HttpStatusCode.OK);
        Assert.Single(versions.GetProperty("Versions").EnumerateArray());

        await PublishAsync(http, "pre", "1", new { CodeSha256 = sha, RevisionId = created.GetProperty("RevisionId").GetString() });
        var missing = await Error(await http.PostAsync("/2015-03-31/functions/nope/versions", Json(new { })));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "nope"), missing);
    }

    [Fact]
    public async Task Every_qualifier_form_invokes_its_version_and_unknown_ones_are_not_found()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        await Body(await http.PostAsync("/2015-03-31/functions", Json(Create("forms", "one"))), HttpStatusCode.Created);
        await PublishAsync(http, "forms", "1");
        await Body(await http.PostAsync("/2015-03-31/functions/forms/aliases", Json(new { Name = "live", FunctionVersion = "1" })), HttpStatusCode.Created);

        // A qualified invocation is served on Kestrel's path; unqualified and $LATEST ones stay on the store's event loop.
        // (New clients: a connection Kestrel has answered on stays with Kestrel.)
        long taken = server.Route!.Taken;
        using (HttpClient fresh = server.Client())
        {
            Assert.Equal("1", await ExecutedVersionAsync(fresh, "/2015-03-31/functions/forms/invocations?Qualifier=1"));
        }

        Assert.Equal(taken, server.Route.Taken);
        using (HttpClient fresh = server.Client())
        {
            Assert.Equal("$LATEST", await ExecutedVersionAsync(fresh, "/2015-03-31/functions/forms/invocations"));
        }

        Assert.Equal(taken + 1, server.Route.Taken);
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/forms:1/invocations"));
        Assert.Equal("1", await ExecutedVersionAsync(http, $"/2015-03-31/functions/{Uri.EscapeDataString(Arn + "forms:1")}/invocations"));
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/000000000000:function:forms:1/invocations"));
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/forms/invocations?Qualifier=live"));
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/forms:live/invocations"));
        Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/forms/invocations?Qualifier=%24LATEST"));
        Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/forms/invocations"));
        // The runtime sees the ARN it was invoked with: qualified by the alias.
        using (HttpResponseMessage headers = await http.PostAsync("/2015-03-31/functions/forms:live/invocations", new StringContent("""{"headers":1}""")))
        {
            string runtimeHeaders = (await Body(headers, HttpStatusCode.OK)).GetProperty("headers").GetString()!;
            Assert.Contains("Lambda-Runtime-Invoked-Function-Arn: " + Arn + "forms:live", runtimeHeaders);
        }

        // An Event invocation runs the version too: the eighth START line of version 1.
        using (HttpResponseMessage queued = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/forms/invocations?Qualifier=live")
        {
            Headers = { { "X-Amz-Invocation-Type", "Event" } },
            Content = new StringContent("""{"event":1}"""),
        }))
        {
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }

        await server.Test.WaitForLogAsync("forms", line => line.EndsWith(" Version: 1", StringComparison.Ordinal) && line.StartsWith("START", StringComparison.Ordinal), count: 8);

        foreach ((string path, string qualified) in new[]
        {
            ("/2015-03-31/functions/forms/invocations?Qualifier=9", "forms:9"),
            ("/2015-03-31/functions/forms:9/invocations", "forms:9"),
            ("/2015-03-31/functions/forms:nope/invocations", "forms:nope"),
            ("/2015-03-31/functions/forms/configuration?Qualifier=nope", "forms:nope"),
            ("/2015-03-31/functions/forms?Qualifier=2", "forms:2"),
            ("/2021-11-15/functions/forms/response-streaming-invocations?Qualifier=2", "forms:2"),
            ("/2015-03-31/functions/missing/invocations?Qualifier=1", "missing:1"),
        })
        {
            HttpResponseMessage response = path.Contains("invocations", StringComparison.Ordinal)
                ? await http.PostAsync(path, new StringContent("{}"))
                : await http.GetAsync(path);
            Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + qualified), await Error(response));
        }

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value 'bad!' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)"),
            await Error(await http.PostAsync("/2015-03-31/functions/forms/invocations?Qualifier=bad!", new StringContent("{}"))));
    }

    [Fact]
    public async Task A_qualified_streamed_invocation_reports_its_version()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        await Body(await http.PostAsync("/2015-03-31/functions", Json(Create("streamed", "one"))), HttpStatusCode.Created);
        await PublishAsync(http, "streamed", "1");
        await Body(await http.PostAsync("/2015-03-31/functions/streamed/aliases", Json(new { Name = "live", FunctionVersion = "1" })), HttpStatusCode.Created);
        using HttpResponseMessage response = await http.PostAsync("/2021-11-15/functions/streamed/response-streaming-invocations?Qualifier=live", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-Amz-Executed-Version").Single());
    }
}
