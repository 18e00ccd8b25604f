using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>The official clients as oracles: the AWS CLI and @aws-sdk/client-lambda deploy and invoke unchanged.</summary>
public sealed class ClientOracleTests
{
    [Fact]
    public async Task The_AWS_CLI_creates_invokes_lists_and_deletes_a_function()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-cli-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
            string endpoint = server.Endpoint.ToString();

            var created = await AwsCli.RunAsync(["lambda", "create-function", "--endpoint-url", endpoint, "--function-name", "cli-fn",
                "--runtime", "provided.al2023", "--role", "arn:aws:iam::000000000000:role/lambda", "--handler", "function.handler",
                "--zip-file", "fileb://" + zip, "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={server.Test.Marker}}}"], environment);
            Assert.True(created.ExitCode == 0, created.Stderr);
            Assert.Equal("cli-fn", JsonDocument.Parse(created.Stdout).RootElement.GetProperty("FunctionName").GetString());

            string output = Path.Combine(work, "out.json");
            var invoked = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", endpoint, "--function-name", "cli-fn",
                "--payload", """{"from":"cli"}""", "--log-type", "Tail", output], environment);
            Assert.True(invoked.ExitCode == 0, invoked.Stderr);
            JsonElement answer = JsonDocument.Parse(invoked.Stdout).RootElement;
            Assert.Equal(200, answer.GetProperty("StatusCode").GetInt32());
            Assert.Equal("$LATEST", answer.GetProperty("ExecutedVersion").GetString());
            Assert.Contains("REPORT RequestId", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("LogResult").GetString()!)));
            Assert.Equal("""{"from":"cli"}""", await File.ReadAllTextAsync(output));

            var failed = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", endpoint, "--function-name", "cli-fn", "--payload", """{"fail":1}""", output], environment);
            Assert.Equal("Unhandled", JsonDocument.Parse(failed.Stdout).RootElement.GetProperty("FunctionError").GetString());

            // By ARN: the host's account (000000000000) is found; another account's ARN, full or partial, is not.
            var byArn = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", endpoint, "--function-name", "arn:aws:lambda:us-east-1:000000000000:function:cli-fn", output], environment);
            Assert.True(byArn.ExitCode == 0, byArn.Stderr);
            var otherAccount = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", endpoint, "--function-name", "arn:aws:lambda:us-east-1:111111111111:function:cli-fn", output], environment);
            Assert.NotEqual(0, otherAccount.ExitCode);
            Assert.Contains("An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:111111111111:function:cli-fn", otherAccount.Stderr);
            var otherConfiguration = await AwsCli.RunAsync(["lambda", "get-function-configuration", "--endpoint-url", endpoint, "--function-name", "111111111111:function:cli-fn"], environment);
            Assert.NotEqual(0, otherConfiguration.ExitCode);
            Assert.Contains("An error occurred (ResourceNotFoundException) when calling the GetFunctionConfiguration operation: Function not found: arn:aws:lambda:us-east-1:111111111111:function:cli-fn", otherConfiguration.Stderr);
            var otherDelete = await AwsCli.RunAsync(["lambda", "delete-function", "--endpoint-url", endpoint, "--function-name", "arn:aws:lambda:us-east-1:111111111111:function:cli-fn"], environment);
            Assert.Contains("(ResourceNotFoundException)", otherDelete.Stderr);

            var listed = await AwsCli.RunAsync(["lambda", "list-functions", "--endpoint-url", endpoint], environment);
            Assert.Equal("cli-fn", JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("Functions")[0].GetProperty("FunctionName").GetString());

            var concurrency = await AwsCli.RunAsync(["lambda", "put-function-concurrency", "--endpoint-url", endpoint, "--function-name", "cli-fn", "--reserved-concurrent-executions", "2"], environment);
            Assert.True(concurrency.ExitCode == 0, concurrency.Stderr);

            var deleted = await AwsCli.RunAsync(["lambda", "delete-function", "--endpoint-url", endpoint, "--function-name", "cli-fn"], environment);
            Assert.True(deleted.ExitCode == 0, deleted.Stderr);
            var missing = await AwsCli.RunAsync(["lambda", "get-function", "--endpoint-url", endpoint, "--function-name", "cli-fn"], environment);
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("ResourceNotFoundException", missing.Stderr);
            Assert.Contains("Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn", missing.Stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_Node_SDK_v3_drives_the_control_plane_and_invokes()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string zip = Path.Combine(Path.GetTempPath(), $"handshake-sdk-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
        try
        {
            string script = Path.Combine(AppContext.BaseDirectory, "node", "lambda-client.cjs");
            var run = await Repository.RunAsync("node", [script, zip, server.Test.Marker], Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr);
            JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

            Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:sdk-fn", result.GetProperty("createdArn").GetString());
            Assert.Equal("sdk-fn", result.GetProperty("getName").GetString());
            Assert.Equal(200, result.GetProperty("status").GetInt32());
            Assert.Equal("""{"hello":"sdk"}""", result.GetProperty("payload").GetString());
            Assert.Equal("$LATEST", result.GetProperty("executedVersion").GetString());
            Assert.True(result.GetProperty("logHasReport").GetBoolean());
            Assert.Equal("Unhandled", result.GetProperty("functionError").GetString());
            Assert.Equal(202, result.GetProperty("eventStatus").GetInt32());
            Assert.Equal(204, result.GetProperty("dryRunStatus").GetInt32());
            Assert.Equal("TooManyRequestsException", result.GetProperty("throttled").GetProperty("name").GetString());
            Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", result.GetProperty("throttled").GetProperty("reason").GetString());
            Assert.Equal(429, result.GetProperty("throttled").GetProperty("status").GetInt32());
            Assert.Equal("ResourceNotFoundException", result.GetProperty("missing").GetProperty("name").GetString());
            Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:sdk-fn", result.GetProperty("missing").GetProperty("message").GetString());
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
