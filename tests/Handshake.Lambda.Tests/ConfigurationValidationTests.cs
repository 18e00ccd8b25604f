using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// What Lambda refuses in a function's configuration, refused here with Lambda's error types and messages: reserved
/// and badly named environment variables, the 4 KB limit, retired and unknown runtimes, stale RevisionIds,
/// UpdateFunctionCode's DryRun, and the model's constraints as ValidationException.
/// </summary>
public sealed class ConfigurationValidationTests
{
    private const string StoreEndpoint = "http://127.0.0.1:1";

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string Type, string Message)> Error(HttpResponseMessage response)
    {
        string type = response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : "";
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, type, body.TryGetProperty("message", out JsonElement m) ? m.GetString()! : "");
    }

    private static object Create(string name, Dictionary<string, string>? variables = null, string runtime = "provided.al2023") => new
    {
        FunctionName = name,
        Runtime = runtime,
        Role = "arn:aws:iam::000000000000:role/lambda",
        Handler = "function.handler",
        Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) },
        Environment = new { Variables = variables ?? [] },
    };

    [Fact]
    public async Task Reserved_keys_are_refused_on_create_and_update_with_Lambdas_message()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        var refused = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("spoof", new() { ["AWS_REGION"] = "eu-west-1", ["FOO"] = "bar", ["AWS_LAMBDA_FUNCTION_NAME"] = "spoof" }))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION, AWS_LAMBDA_FUNCTION_NAME"), refused);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/spoof")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions", Json(Create("plain", new() { ["FOO"] = "bar" })))).StatusCode);
        var update = await Error(await http.PutAsync("/2015-03-31/functions/plain/configuration", Json(new { Environment = new { Variables = new Dictionary<string, string> { ["AWS_SESSION_TOKEN"] = "t" } } })));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (update.Status, update.Type));
        Assert.EndsWith("Reserved keys used in this request: AWS_SESSION_TOKEN", update.Message);
        JsonElement unchanged = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/plain/configuration")).RootElement;
        Assert.Equal("bar", unchanged.GetProperty("Environment").GetProperty("Variables").GetProperty("FOO").GetString());
    }

    [Fact]
    public async Task Variables_over_4KB_and_names_outside_Lambdas_pattern_are_refused()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        string big = new('x', 5000);
        var tooBig = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("big", new() { ["BIG"] = big }))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {\"BIG\":\"" + big + "\"}"), tooBig);

        // 4,096 bytes exactly ({"BIG":"..."} is 10 bytes besides the value) is within the limit.
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions", Json(Create("edge", new() { ["BIG"] = new string('x', 4086) })))).StatusCode);

        foreach (string name in new[] { "1BAD", "A-B", "X" })
        {
            var badName = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("named", new() { [name] = "v" }))));
            Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
                "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"), badName);
        }
    }

    [Fact]
    public async Task A_store_endpoint_of_the_functions_own_is_refused_unless_it_is_the_hosts()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { StoreEndpoint = StoreEndpoint });
        using HttpClient http = server.Client();

        var refused = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("elsewhere", new() { ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://localhost:8000" }))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (refused.Status, refused.Type));
        Assert.StartsWith($"AWS_ENDPOINT_URL_DYNAMODB is set by Handshake to its store's endpoint ({StoreEndpoint})", refused.Message);

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions", Json(Create("same", new() { ["AWS_ENDPOINT_URL"] = StoreEndpoint })))).StatusCode);
    }

    [Theory]
    [InlineData("nodejs4.3", "nodejs24.x")]
    [InlineData("nodejs14.x", "nodejs24.x")]
    [InlineData("dotnetcore1.0", "dotnet10")]
    [InlineData("provided", "provided.al2023")]
    public async Task Retired_runtimes_get_Lambdas_no_longer_supported_error(string runtime, string instead)
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        var refused = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("old", runtime: runtime))));

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException",
            $"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime ({instead}) while creating or updating functions."), refused);
    }

    [Fact]
    public async Task Unknown_runtimes_get_Lambdas_enum_error_and_runtimes_Handshake_cannot_run_say_so()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        var unknown = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("f", runtime: "nodejs99.x"))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (unknown.Status, unknown.Type));
        Assert.StartsWith("Value nodejs99.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [", unknown.Message);
        Assert.EndsWith("] or be a valid ARN", unknown.Message);
        Assert.Contains("python3.14", unknown.Message);
        Assert.DoesNotContain("nodejs4.3", unknown.Message);

        var python = await Error(await http.PostAsync("/2015-03-31/functions", Json(Create("f", runtime: "python3.12"))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (python.Status, python.Type));
        Assert.StartsWith("python3.12 is a Lambda runtime that Handshake does not run.", python.Message);

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions", Json(Create("f")))).StatusCode);
        var update = await Error(await http.PutAsync("/2015-03-31/functions/f/configuration", Json(new { Runtime = "nodejs12.x" })));
        Assert.Equal("InvalidParameterValueException", update.Type);
        Assert.StartsWith("The runtime parameter of nodejs12.x is no longer supported", update.Message);
    }

    [Fact]
    public async Task A_stale_RevisionId_is_refused_with_412_and_every_update_changes_it()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        static async Task<string> Revision(HttpResponseMessage response) =>
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("RevisionId").GetString()!;

        string created = await Revision(await http.PostAsync("/2015-03-31/functions", Json(Create("locked"))));
        string configured = await Revision(await http.PutAsync("/2015-03-31/functions/locked/configuration", Json(new { Timeout = 5, RevisionId = created })));
        string coded = await Revision(await http.PutAsync("/2015-03-31/functions/locked/code", Json(new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime("version-2.txt")), RevisionId = configured })));
        Assert.Equal(3, new[] { created, configured, coded }.Distinct().Count());
        Assert.Equal(coded, await Revision(await http.GetAsync("/2015-03-31/functions/locked/configuration")));

        const string Stale = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";
        Assert.Equal(((HttpStatusCode)412, "PreconditionFailedException", Stale),
            await Error(await http.PutAsync("/2015-03-31/functions/locked/configuration", Json(new { Timeout = 9, RevisionId = created }))));
        Assert.Equal(((HttpStatusCode)412, "PreconditionFailedException", Stale),
            await Error(await http.PutAsync("/2015-03-31/functions/locked/code", Json(new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()), RevisionId = configured }))));
        JsonElement after = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/locked/configuration")).RootElement;
        Assert.Equal(5, after.GetProperty("Timeout").GetInt32());
        Assert.Equal(coded, after.GetProperty("RevisionId").GetString());
    }

    [Fact]
    public async Task The_AWS_CLIs_dry_run_validates_without_replacing_the_code_and_its_revision_id_is_checked()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-dryrun-").FullName;
        try
        {
            string original = Path.Combine(work, "v1.zip");
            string replacement = Path.Combine(work, "v2.zip");
            string broken = Path.Combine(work, "broken.zip");
            await File.WriteAllBytesAsync(original, FunctionZip.BashRuntime());
            await File.WriteAllBytesAsync(replacement, FunctionZip.BashRuntime("version-2.txt"));
            // A truncated zip: the CLI sees the zip signature and sends it; only the host can find it unreadable.
            await File.WriteAllBytesAsync(broken, FunctionZip.BashRuntime()[..64]);
            Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
            string[] common = ["--endpoint-url", server.Endpoint.ToString(), "--function-name", "dry"];

            var created = await AwsCli.RunAsync(["lambda", "create-function", .. common, "--runtime", "provided.al2023", "--role", "arn:aws:iam::000000000000:role/lambda",
                "--handler", "function.handler", "--zip-file", "fileb://" + original, "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={server.Test.Marker}}}"], environment);
            Assert.True(created.ExitCode == 0, created.Stderr);
            string sha = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("CodeSha256").GetString()!;

            var dry = await AwsCli.RunAsync(["lambda", "update-function-code", .. common, "--zip-file", "fileb://" + replacement, "--dry-run"], environment);
            Assert.True(dry.ExitCode == 0, dry.Stderr);
            Assert.Equal(sha, JsonDocument.Parse(dry.Stdout).RootElement.GetProperty("CodeSha256").GetString());
            HttpResponseMessage invoked = await server.Client().PostAsync("/2015-03-31/functions/dry/invocations", new StringContent("""{"environment":1}"""));
            string taskRoot = JsonDocument.Parse(await invoked.Content.ReadAsStringAsync()).RootElement.GetProperty("LAMBDA_TASK_ROOT").GetString()!;
            Assert.False(File.Exists(Path.Combine(taskRoot, "version-2.txt")));

            // The CLI refuses an unreadable zip itself, so this one goes over HTTP: a dry run still validates.
            var dryBroken = await Error(await server.Client().PutAsync("/2015-03-31/functions/dry/code", Json(new { ZipFile = Convert.ToBase64String(await File.ReadAllBytesAsync(broken)), DryRun = true })));
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."), dryBroken);

            var stale = await AwsCli.RunAsync(["lambda", "update-function-configuration", .. common, "--timeout", "5", "--revision-id", "00000000-0000-0000-0000-000000000000"], environment);
            Assert.NotEqual(0, stale.ExitCode);
            Assert.Contains("(PreconditionFailedException) when calling the UpdateFunctionConfiguration operation: The Revision Id provided does not match the latest Revision Id.", stale.Stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Model_constraints_are_ValidationException_and_ListFunctions_pages_hold_at_most_50()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        for (int i = 0; i < 55; i++)
        {
            server.Test.AddBash($"fn-{i:D2}");
        }

        using HttpClient http = server.Client();
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            await Error(await http.GetAsync("/2015-03-31/functions/?MaxItems=0")));
        JsonElement page = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/?MaxItems=100")).RootElement;
        Assert.Equal(50, page.GetProperty("Functions").GetArrayLength());
        Assert.Equal("fn-49", page.GetProperty("NextMarker").GetString());

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null"),
            await Error(await http.PostAsync("/2015-03-31/functions", Json(new
            {
                FunctionName = "no-role", Runtime = "provided.al2023", Handler = "function.handler",
                Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) },
            }))));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/no-role")).StatusCode);

        var badName = await Error(await http.GetAsync("/2015-03-31/functions/bad!name"));
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (badName.Status, badName.Type));
        Assert.StartsWith("1 validation error detected: Value 'bad!name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern:", badName.Message);
    }

    [Fact]
    public async Task An_integer_member_of_another_JSON_type_is_400_InvalidRequestContentException_not_a_500()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("typed");
        using HttpClient http = server.Client();
        string before = await http.GetStringAsync("/2015-03-31/functions/typed/configuration");
        static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

        // Every operation that reads an integer member: each was a bare 500 with an empty body (JsonElement.TryGetInt32
        // throws on a string), which the SDKs retry as a service error and then report without a message.
        (HttpMethod Method, string Path, string Body, string Member)[] requests =
        [
            (HttpMethod.Post, "/2015-03-31/functions", """{"FunctionName":"other","Runtime":"provided.al2023","Role":"arn:aws:iam::000000000000:role/lambda","Handler":"h","Timeout":"30","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}""", "Timeout"),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"Timeout":"x"}""", "Timeout"),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"MemorySize":{"mb":256}}""", "MemorySize"),
            (HttpMethod.Put, "/2017-10-31/functions/typed/concurrency", """{"ReservedConcurrentExecutions":"x"}""", "ReservedConcurrentExecutions"),
            (HttpMethod.Put, "/2019-09-25/functions/typed/event-invoke-config", """{"MaximumRetryAttempts":true}""", "MaximumRetryAttempts"),
            (HttpMethod.Post, "/2019-09-25/functions/typed/event-invoke-config", """{"MaximumEventAgeInSeconds":"60"}""", "MaximumEventAgeInSeconds"),
            (HttpMethod.Post, "/2021-10-31/functions/typed/url", """{"AuthType":"NONE","Cors":{"MaxAge":"x"}}""", "MaxAge"),
        ];
        foreach ((HttpMethod method, string path, string body, string member) in requests)
        {
            using HttpRequestMessage request = new(method, path) { Content = Raw(body) };
            var (status, type, message) = await Error(await http.SendAsync(request));
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} {body}: {(int)status}");
            Assert.Equal("InvalidRequestContentException", type);
            Assert.StartsWith("Could not parse request body into json: ", message);
            Assert.Contains(member, message);
        }

        // Nothing was made or changed.
        Assert.Equal(before, await http.GetStringAsync("/2015-03-31/functions/typed/configuration"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/other")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2021-10-31/functions/typed/url")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2019-09-25/functions/typed/event-invoke-config")).StatusCode);
        Assert.False(JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/typed")).RootElement.TryGetProperty("Concurrency", out _));
    }

    [Fact]
    public async Task A_description_over_256_and_a_handler_over_128_or_with_spaces_are_refused_as_AWS_refuses_them()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("described");
        using HttpClient http = server.Client();
        string before = await http.GetStringAsync("/2015-03-31/functions/described/configuration");
        string longDescription = new('d', 257);
        string longHandler = new('h', 129);
        string descriptionError = $"1 validation error detected: Value '{longDescription}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256";

        // They were accepted, so a function that deployed here was refused by its first real deployment.
        (HttpMethod Method, string Path, object Body, string Message)[] requests =
        [
            (HttpMethod.Post, "/2015-03-31/functions", new { FunctionName = "other", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Handler = "h", Description = longDescription, Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) } }, descriptionError),
            (HttpMethod.Put, "/2015-03-31/functions/described/configuration", new { Description = longDescription }, descriptionError),
            (HttpMethod.Put, "/2015-03-31/functions/described/configuration", new { Handler = longHandler },
                $"1 validation error detected: Value '{longHandler}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128"),
            (HttpMethod.Put, "/2015-03-31/functions/described/configuration", new { Handler = "index handler" },
                "1 validation error detected: Value 'index handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"),
            (HttpMethod.Post, "/2015-03-31/functions/described/versions", new { Description = longDescription }, descriptionError),
            (HttpMethod.Post, "/2015-03-31/functions/described/aliases", new { Name = "live", FunctionVersion = "$LATEST", Description = longDescription }, descriptionError),
        ];
        foreach ((HttpMethod method, string path, object body, string message) in requests)
        {
            using HttpRequestMessage request = new(method, path) { Content = Json(body) };
            Assert.Equal((HttpStatusCode.BadRequest, "ValidationException", message), await Error(await http.SendAsync(request)));
        }

        Assert.Equal(before, await http.GetStringAsync("/2015-03-31/functions/described/configuration"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/other")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/described/aliases/live")).StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/described/versions")).RootElement.GetProperty("Versions").GetArrayLength());

        // The limits themselves are accepted.
        HttpResponseMessage atLimit = await http.PutAsync("/2015-03-31/functions/described/configuration", Json(new { Description = new string('d', 256), Handler = new string('h', 128) }));
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
    }

    [Fact]
    public async Task A_project_file_is_refused_on_one_line_for_what_Lambda_would_refuse()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-project-").FullName;
        try
        {
            await using TestHost test = TestHost.Start(new FunctionHostOptions { StoreEndpoint = StoreEndpoint });
            string code = Path.GetRelativePath(directory, TestHost.FunctionDirectory("bash-runtime"));
            string file = Path.Combine(directory, "handshake.json");
            async Task<string> Refusal(string function)
            {
                await File.WriteAllTextAsync(file, $$"""{ "functions": { "f": { "code": "{{code}}", {{function}} } } }""");
                string message = Assert.Throws<ProjectFileException>(() => test.Host.LoadProjectFile(file)).Message;
                Assert.DoesNotContain('\n', message);
                return message;
            }

            Assert.EndsWith("function 'f': Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
                await Refusal("""  "runtime": "provided", "environment": { "AWS_REGION": "eu-west-1" }  """));
            Assert.Contains("function 'f': AWS_ENDPOINT_URL is set by Handshake", await Refusal("""  "runtime": "provided", "environment": { "AWS_ENDPOINT_URL": "http://example.com" }  """));
            Assert.Contains("function 'f': The runtime parameter of nodejs12.x is no longer supported", await Refusal("""  "runtime": "nodejs12.x"  """));
            Assert.Contains("function 'f': java21 is a Lambda runtime that Handshake does not run.", await Refusal("""  "runtime": "java21"  """));
            Assert.False(test.Host.TryGetFunction("f", out _));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
