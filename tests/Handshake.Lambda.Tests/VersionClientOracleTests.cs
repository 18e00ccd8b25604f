using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Versions and aliases through the official clients: the AWS CLI and @aws-sdk/client-lambda, unchanged.</summary>
public sealed class VersionClientOracleTests
{
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:";

    [Fact]
    public async Task The_AWS_CLI_publishes_versions_manages_aliases_and_invokes_by_qualifier()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-cli-versions-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            string zip2 = Path.Combine(work, "function2.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            await File.WriteAllBytesAsync(zip2, FunctionZip.BashRuntime("version-2.txt"));
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

            await Aws("create-function", "--function-name", "cli-v", "--runtime", "provided.al2023", "--role", "arn:aws:iam::000000000000:role/lambda",
                "--handler", "function.handler", "--zip-file", "fileb://" + zip, "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={server.Test.Marker},FOO=one}}");
            JsonElement v1 = await Aws("publish-version", "--function-name", "cli-v", "--description", "first");
            Assert.Equal(("1", Arn + "cli-v:1", "first"), (v1.GetProperty("Version").GetString(), v1.GetProperty("FunctionArn").GetString(), v1.GetProperty("Description").GetString()));
            JsonElement v2 = await Aws("update-function-code", "--function-name", "cli-v", "--zip-file", "fileb://" + zip2, "--publish");
            Assert.Equal(("2", Arn + "cli-v:2"), (v2.GetProperty("Version").GetString(), v2.GetProperty("FunctionArn").GetString()));

            // The CLI pages by itself with --page-size: every version, $LATEST first.
            JsonElement versions = await Aws("list-versions-by-function", "--function-name", "cli-v", "--page-size", "1");
            Assert.Equal(["$LATEST", "1", "2"], versions.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
            JsonElement firstPage = await Aws("list-versions-by-function", "--function-name", "cli-v", "--max-items", "2");
            Assert.Equal(2, firstPage.GetProperty("Versions").GetArrayLength());
            Assert.True(firstPage.TryGetProperty("NextToken", out _));

            JsonElement alias = await Aws("create-alias", "--function-name", "cli-v", "--name", "live", "--function-version", "1", "--description", "prod");
            Assert.Equal(Arn + "cli-v:live", alias.GetProperty("AliasArn").GetString());
            Assert.Contains("An error occurred (ResourceConflictException) when calling the CreateAlias operation: Alias already exists: " + Arn + "cli-v:live",
                await Failure("create-alias", "--function-name", "cli-v", "--name", "live", "--function-version", "2"));
            Assert.Contains("An error occurred (ResourceNotFoundException) when calling the GetAlias operation: Alias not found: " + Arn + "cli-v:nope",
                await Failure("get-alias", "--function-name", "cli-v", "--name", "nope"));

            string output = Path.Combine(work, "out.json");
            JsonElement invoked = await Aws("invoke", "--function-name", "cli-v", "--qualifier", "live", "--payload", """{"environment":1}""", output);
            Assert.Equal("1", invoked.GetProperty("ExecutedVersion").GetString());
            Assert.Equal("1", JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString());
            Assert.Equal("2", (await Aws("invoke", "--function-name", "cli-v:2", output)).GetProperty("ExecutedVersion").GetString());
            Assert.Equal("1", (await Aws("invoke", "--function-name", Arn + "cli-v:1", output)).GetProperty("ExecutedVersion").GetString());
            Assert.Contains("An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: " + Arn + "cli-v:3",
                await Failure("invoke", "--function-name", "cli-v", "--qualifier", "3", output));

            JsonElement moved = await Aws("update-alias", "--function-name", "cli-v", "--name", "live", "--function-version", "2", "--revision-id", alias.GetProperty("RevisionId").GetString()!);
            Assert.Equal("2", moved.GetProperty("FunctionVersion").GetString());
            Assert.Equal("2", (await Aws("invoke", "--function-name", "cli-v", "--qualifier", "live", output)).GetProperty("ExecutedVersion").GetString());
            JsonElement weighted = await Aws("update-alias", "--function-name", "cli-v", "--name", "live", "--function-version", "2", "--routing-config", "AdditionalVersionWeights={1=0.5}");
            Assert.Equal(0.5, weighted.GetProperty("RoutingConfig").GetProperty("AdditionalVersionWeights").GetProperty("1").GetDouble());
            JsonElement aliases = await Aws("list-aliases", "--function-name", "cli-v", "--function-version", "2");
            Assert.Equal(["live"], aliases.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));

            Assert.Contains("An error occurred (ResourceConflictException) when calling the DeleteFunction operation: Unable to delete version because the following aliases reference it: [live]",
                await Failure("delete-function", "--function-name", "cli-v", "--qualifier", "1"));
            Assert.Contains("An error occurred (InvalidParameterValueException) when calling the DeleteFunction operation: $LATEST version cannot be deleted without deleting the function.",
                await Failure("delete-function", "--function-name", "cli-v", "--qualifier", "$LATEST"));
            await Aws("delete-alias", "--function-name", "cli-v", "--name", "live");
            await Aws("delete-function", "--function-name", "cli-v", "--qualifier", "1");
            JsonElement configuration = await Aws("get-function-configuration", "--function-name", "cli-v", "--qualifier", "2");
            Assert.Equal(Arn + "cli-v:2", configuration.GetProperty("FunctionArn").GetString());
            Assert.Contains("Function not found: " + Arn + "cli-v:1", await Failure("get-function", "--function-name", "cli-v", "--qualifier", "1"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_Node_SDK_v3_publishes_routes_and_pages_versions_and_aliases()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string zip = Path.Combine(Path.GetTempPath(), $"handshake-sdk-v-{Guid.NewGuid():N}.zip");
        string zip2 = Path.Combine(Path.GetTempPath(), $"handshake-sdk-v2-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
        await File.WriteAllBytesAsync(zip2, FunctionZip.BashRuntime("version-2.txt"));
        try
        {
            string script = Path.Combine(AppContext.BaseDirectory, "node", "lambda-versions.cjs");
            var run = await Repository.RunAsync("node", [script, zip, zip2, server.Test.Marker], Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr);
            JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

            Assert.Equal("1", result.GetProperty("created").GetProperty("version").GetString());
            Assert.Equal(Arn + "sdk-versions:1", result.GetProperty("created").GetProperty("arn").GetString());
            Assert.Equal(("2", Arn + "sdk-versions:2", "second"), (result.GetProperty("published").GetProperty("version").GetString(),
                result.GetProperty("published").GetProperty("arn").GetString(), result.GetProperty("published").GetProperty("description").GetString()));
            Assert.Equal(["$LATEST", "1", "2"], result.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal(Arn + "sdk-versions:live", result.GetProperty("alias").GetProperty("arn").GetString());
            Assert.Equal(0.5, result.GetProperty("alias").GetProperty("weight").GetDouble());
            // Half of 4 consecutive invocations: the counter-based split (README: Versions and aliases).
            Assert.Equal(2, result.GetProperty("routed").EnumerateArray().Count(v => v.GetString() == "2"));
            Assert.Equal(2, result.GetProperty("routed").EnumerateArray().Count(v => v.GetString() == "1"));
            Assert.Equal(("2", "2"), (result.GetProperty("byArn").GetProperty("executed").GetString(), result.GetProperty("byArn").GetProperty("version").GetString()));
            Assert.Equal("1", result.GetProperty("streamedVersion").GetString());
            Assert.Equal(["beta", "live"], result.GetProperty("aliases").EnumerateArray().Select(v => v.GetString()));
            AssertError(result.GetProperty("missingAlias"), "ResourceNotFoundException", 404, "Alias not found: " + Arn + "sdk-versions:nope");
            AssertError(result.GetProperty("duplicateAlias"), "ResourceConflictException", 409, "Alias already exists: " + Arn + "sdk-versions:live");
            AssertError(result.GetProperty("missingVersion"), "ResourceNotFoundException", 404, "Function not found: " + Arn + "sdk-versions:7");
            AssertError(result.GetProperty("referenced"), "ResourceConflictException", 409, "Unable to delete version because the following aliases reference it: [beta]");
        }
        finally
        {
            File.Delete(zip);
            File.Delete(zip2);
        }
    }

    private static void AssertError(JsonElement error, string name, int status, string message)
    {
        Assert.Equal((name, status, message), (error.GetProperty("name").GetString(), error.GetProperty("status").GetInt32(), error.GetProperty("message").GetString()));
    }
}
