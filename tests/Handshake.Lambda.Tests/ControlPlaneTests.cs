using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>The control plane over HTTP, with Lambda's shapes and errors.</summary>
public sealed class ControlPlaneTests
{
    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static string ErrorType(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : "";

    private static object CreateRequest(string name, Dictionary<string, string>? variables = null) => new
    {
        FunctionName = name,
        Runtime = "provided.al2023",
        Role = "arn:aws:iam::000000000000:role/lambda",
        Handler = "function.handler",
        Timeout = 10,
        MemorySize = 256,
        Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) },
        Environment = new { Variables = variables ?? [] },
    };

    [Fact]
    public async Task Create_get_list_update_and_delete_a_function_from_a_zip()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        string marker = server.Test.Marker;

        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", Json(CreateRequest("zipped", new() { ["HANDSHAKE_TEST_MARKER"] = marker, ["COLOR"] = "red" })));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement configuration = await Body(created);
        Assert.Equal("zipped", configuration.GetProperty("FunctionName").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:zipped", configuration.GetProperty("FunctionArn").GetString());
        Assert.Equal("provided.al2023", configuration.GetProperty("Runtime").GetString());
        Assert.Equal(256, configuration.GetProperty("MemorySize").GetInt32());
        Assert.Equal(10, configuration.GetProperty("Timeout").GetInt32());
        Assert.Equal("$LATEST", configuration.GetProperty("Version").GetString());
        Assert.Equal("Active", configuration.GetProperty("State").GetString());
        Assert.Equal(44, configuration.GetProperty("CodeSha256").GetString()!.Length);

        HttpResponseMessage duplicate = await http.PostAsync("/2015-03-31/functions", Json(CreateRequest("zipped")));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("ResourceConflictException", ErrorType(duplicate));
        Assert.Equal("Function already exist: zipped", (await Body(duplicate)).GetProperty("message").GetString());

        HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/zipped/invocations", new StringContent("""{"environment":1}"""));
        Assert.Equal("red", (await Body(invoked)).GetProperty("COLOR").GetString());

        JsonElement function = await Body(await http.GetAsync("/2015-03-31/functions/zipped"));
        Assert.Equal("zipped", function.GetProperty("Configuration").GetProperty("FunctionName").GetString());
        Assert.Equal("S3", function.GetProperty("Code").GetProperty("RepositoryType").GetString());
        JsonElement list = await Body(await http.GetAsync("/2015-03-31/functions/"));
        Assert.Equal("zipped", Assert.Single(list.GetProperty("Functions").EnumerateArray()).GetProperty("FunctionName").GetString());

        HttpResponseMessage updated = await http.PutAsync("/2015-03-31/functions/zipped/configuration", Json(new { Environment = new { Variables = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = marker, ["COLOR"] = "blue" } }, Timeout = 5 }));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(5, (await Body(updated)).GetProperty("Timeout").GetInt32());
        invoked = await http.PostAsync("/2015-03-31/functions/zipped/invocations", new StringContent("""{"environment":1}"""));
        Assert.Equal("blue", (await Body(invoked)).GetProperty("COLOR").GetString());

        HttpResponseMessage code = await http.PutAsync("/2015-03-31/functions/zipped/code", Json(new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime("version-2.txt")) }));
        Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        Assert.NotEqual(configuration.GetProperty("CodeSha256").GetString(), (await Body(code)).GetProperty("CodeSha256").GetString());
        invoked = await http.PostAsync("/2015-03-31/functions/zipped/invocations", new StringContent("""{"environment":1}"""));
        // The new code runs in a new environment, from the new package's directory.
        string taskRoot = (await Body(invoked)).GetProperty("LAMBDA_TASK_ROOT").GetString()!;
        Assert.True(File.Exists(Path.Combine(taskRoot, "version-2.txt")));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/zipped")).StatusCode);
        HttpResponseMessage gone = await http.GetAsync("/2015-03-31/functions/zipped");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ResourceNotFoundException", ErrorType(gone));
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:zipped", (await Body(gone)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/2015-03-31/functions/zipped")).StatusCode);
    }

    [Fact]
    public async Task Reserved_concurrency_is_put_read_and_deleted()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("limited");
        using HttpClient http = server.Client();

        HttpResponseMessage put = await http.PutAsync("/2017-10-31/functions/limited/concurrency", Json(new { ReservedConcurrentExecutions = 0 }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0, (await Body(put)).GetProperty("ReservedConcurrentExecutions").GetInt32());
        Assert.Equal(0, (await Body(await http.GetAsync("/2015-03-31/functions/limited"))).GetProperty("Concurrency").GetProperty("ReservedConcurrentExecutions").GetInt32());
        Assert.Equal(0, (await Body(await http.GetAsync("/2019-09-30/functions/limited/concurrency"))).GetProperty("ReservedConcurrentExecutions").GetInt32());
        HttpResponseMessage throttled = await http.PostAsync("/2015-03-31/functions/limited/invocations", new StringContent("{}"));
        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2017-10-31/functions/limited/concurrency")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/2015-03-31/functions/limited/invocations", new StringContent("{}"))).StatusCode);
        Assert.False((await Body(await http.GetAsync("/2015-03-31/functions/limited"))).TryGetProperty("Concurrency", out _));

        HttpResponseMessage negative = await http.PutAsync("/2017-10-31/functions/limited/concurrency", Json(new { ReservedConcurrentExecutions = -1 }));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        // Below the model's minimum (0): AWS's request validation answers, not Lambda.
        Assert.Equal("ValidationException", ErrorType(negative));
    }

    [Fact]
    public async Task Bad_control_plane_input_gets_Lambdas_errors()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        HttpResponseMessage badJson = await http.PostAsync("/2015-03-31/functions", new StringContent("{\"FunctionName\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", ErrorType(badJson));

        HttpResponseMessage badZip = await http.PostAsync("/2015-03-31/functions", Json(new { FunctionName = "f", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Code = new { ZipFile = Convert.ToBase64String("not a zip"u8.ToArray()) } }));
        Assert.Equal(HttpStatusCode.BadRequest, badZip.StatusCode);
        Assert.Equal("InvalidParameterValueException", ErrorType(badZip));
        Assert.Equal("Could not unzip uploaded file. Please check your file, then try to upload again.", (await Body(badZip)).GetProperty("message").GetString());

        HttpResponseMessage badRuntime = await http.PostAsync("/2015-03-31/functions", Json(new { FunctionName = "f", Runtime = "cobol85", Role = "arn:aws:iam::000000000000:role/lambda", Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) } }));
        Assert.Equal("InvalidParameterValueException", ErrorType(badRuntime));

        HttpResponseMessage badName = await http.PostAsync("/2015-03-31/functions", Json(new { FunctionName = "no spaces", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Code = new { ZipFile = "" } }));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);

        HttpResponseMessage badTimeout = await http.PostAsync("/2015-03-31/functions", Json(new { FunctionName = "f", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Timeout = 901, Code = new { ZipFile = Convert.ToBase64String(FunctionZip.BashRuntime()) } }));
        Assert.Equal("ValidationException", ErrorType(badTimeout));

        HttpResponseMessage s3 = await http.PostAsync("/2015-03-31/functions", Json(new { FunctionName = "f", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Code = new { S3Bucket = "bucket", S3Key = "key.zip" } }));
        Assert.Equal("InvalidParameterValueException", ErrorType(s3));

        HttpResponseMessage unknown = await http.PatchAsync("/2015-03-31/functions/f", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty((await Body(await http.GetAsync("/2015-03-31/functions/"))).GetProperty("Functions").EnumerateArray());
    }

    [Fact]
    public async Task An_empty_zip_is_refused_with_Lambdas_message_on_create_update_and_dry_run()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        using MemoryStream buffer = new();
        using (new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
        }

        // A readable archive with no entry (22 bytes: the end-of-central-directory record alone), as a build that
        // packaged nothing produces. It was a bare 500 (extraction made no directory to move into place).
        string empty = Convert.ToBase64String(buffer.ToArray());
        object request = CreateRequest("emptied");
        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", Json(new
        {
            FunctionName = "emptied", Runtime = "provided.al2023", Role = "arn:aws:iam::000000000000:role/lambda", Handler = "function.handler",
            Code = new { ZipFile = empty },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("InvalidParameterValueException", ErrorType(created));
        Assert.Equal("Uploaded file must be a non-empty zip", (await Body(created)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/emptied")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions", Json(request))).StatusCode);
        string sha = (await Body(await http.GetAsync("/2015-03-31/functions/emptied/configuration"))).GetProperty("CodeSha256").GetString()!;
        foreach (object update in (object[])[new { ZipFile = empty }, new { ZipFile = empty, DryRun = true }])
        {
            HttpResponseMessage updated = await http.PutAsync("/2015-03-31/functions/emptied/code", Json(update));
            Assert.Equal(HttpStatusCode.BadRequest, updated.StatusCode);
            Assert.Equal("InvalidParameterValueException", ErrorType(updated));
            Assert.Equal("Uploaded file must be a non-empty zip", (await Body(updated)).GetProperty("message").GetString());
        }

        Assert.Equal(sha, (await Body(await http.GetAsync("/2015-03-31/functions/emptied/configuration"))).GetProperty("CodeSha256").GetString());
    }

    [Fact]
    public async Task A_local_directory_is_used_in_place_with_S3Bucket_hot_reload()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        string directory = TestHost.FunctionDirectory("bash-runtime");

        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", Json(new
        {
            FunctionName = "inplace",
            Runtime = "provided.al2023",
            Role = "arn:aws:iam::000000000000:role/lambda",
            Code = new { S3Bucket = "hot-reload", S3Key = directory },
            Environment = new { Variables = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = server.Test.Marker } },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/inplace/invocations", new StringContent("""{"environment":1}"""));
        Assert.Equal(directory, (await Body(invoked)).GetProperty("LAMBDA_TASK_ROOT").GetString());
    }

    [Fact]
    public async Task List_functions_pages_with_a_marker()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        foreach (string name in new[] { "c", "a", "b" })
        {
            server.Test.AddBash(name);
        }

        using HttpClient http = server.Client();
        JsonElement first = await Body(await http.GetAsync("/2015-03-31/functions/?MaxItems=2"));
        JsonElement second = await Body(await http.GetAsync("/2015-03-31/functions/?MaxItems=2&Marker=" + first.GetProperty("NextMarker").GetString()));

        Assert.Equal(["a", "b"], first.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()));
        Assert.Equal(["c"], second.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()));
        Assert.False(second.TryGetProperty("NextMarker", out _));
    }
}
