using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>The asynchronous invocation settings' five operations through the AWS CLI, with Lambda's answers and errors.</summary>
public sealed class EventInvokeConfigClientTests
{
    [Fact]
    public async Task The_AWS_CLI_puts_updates_lists_and_deletes_settings_and_an_Event_invocation_reaches_the_destination()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { EventRetryDelays = [TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20)] });
        server.Test.AddBash("source");
        server.Test.AddBash("sink", environment: new() { ["RECORD_EVENTS"] = "1" });
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        string sinkArn = "arn:aws:lambda:us-east-1:000000000000:function:sink";
        Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", endpoint], environment);

        var missing = await Cli("get-function-event-invoke-config", "--function-name", "source");
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the GetFunctionEventInvokeConfig operation: The function arn:aws:lambda:us-east-1:000000000000:function:source:$LATEST doesn't have an EventInvokeConfig", missing.Stderr);

        var put = await Cli("put-function-event-invoke-config", "--function-name", "source", "--maximum-retry-attempts", "0",
            "--destination-config", "{\"OnFailure\":{\"Destination\":\"" + sinkArn + "\"}}");
        Assert.True(put.ExitCode == 0, put.Stderr);
        JsonElement config = JsonDocument.Parse(put.Stdout).RootElement;
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:source:$LATEST", config.GetProperty("FunctionArn").GetString());
        Assert.Equal(0, config.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.False(config.TryGetProperty("MaximumEventAgeInSeconds", out _));
        Assert.Equal(sinkArn, config.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetString());
        Assert.Equal(JsonValueKind.Object, config.GetProperty("DestinationConfig").GetProperty("OnSuccess").ValueKind);

        // Update merges: the retry setting and the destination stay.
        var updated = await Cli("update-function-event-invoke-config", "--function-name", "source", "--maximum-event-age-in-seconds", "120");
        Assert.True(updated.ExitCode == 0, updated.Stderr);
        config = JsonDocument.Parse(updated.Stdout).RootElement;
        Assert.Equal(0, config.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.Equal(120, config.GetProperty("MaximumEventAgeInSeconds").GetInt32());
        Assert.Equal(sinkArn, config.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetString());

        var listed = await Cli("list-function-event-invoke-configs", "--function-name", "source");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("FunctionEventInvokeConfigs").EnumerateArray());

        string output = Path.Combine(Path.GetTempPath(), $"handshake-event-{Guid.NewGuid():N}.json");
        var invoked = await Cli("invoke", "--function-name", "source", "--invocation-type", "Event", "--payload", """{"fail":true}""", output);
        File.Delete(output);
        Assert.True(invoked.ExitCode == 0, invoked.Stderr);
        Assert.Equal(202, JsonDocument.Parse(invoked.Stdout).RootElement.GetProperty("StatusCode").GetInt32());
        await server.Test.WaitForLogAsync("sink", m => m.StartsWith("event ", StringComparison.Ordinal) && m.Contains("\"RetriesExhausted\"", StringComparison.Ordinal));

        // Put replaces: what it leaves out goes back to the default.
        var replaced = await Cli("put-function-event-invoke-config", "--function-name", "source", "--maximum-event-age-in-seconds", "60");
        config = JsonDocument.Parse(replaced.Stdout).RootElement;
        Assert.False(config.TryGetProperty("MaximumRetryAttempts", out _));
        Assert.False(config.GetProperty("DestinationConfig").GetProperty("OnFailure").TryGetProperty("Destination", out _));

        var deleted = await Cli("delete-function-event-invoke-config", "--function-name", "source");
        Assert.True(deleted.ExitCode == 0, deleted.Stderr);
        var updateMissing = await Cli("update-function-event-invoke-config", "--function-name", "source", "--maximum-retry-attempts", "1");
        Assert.Contains("(ResourceNotFoundException) when calling the UpdateFunctionEventInvokeConfig operation: The function arn:aws:lambda:us-east-1:000000000000:function:source:$LATEST doesn't have an EventInvokeConfig", updateMissing.Stderr);
    }

    [Fact]
    public async Task Bad_settings_get_Lambda_errors()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("source");
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        Task<(int ExitCode, string Stdout, string Stderr)> Put(params string[] args) =>
            AwsCli.RunAsync(["lambda", "put-function-event-invoke-config", .. args, "--endpoint-url", endpoint], environment);

        Assert.Contains("(InvalidParameterValueException) when calling the PutFunctionEventInvokeConfig operation: You must specify at least one of error handling or destination setting.",
            (await Put("--function-name", "source")).Stderr);
        Assert.Contains("(ResourceNotFoundException) when calling the PutFunctionEventInvokeConfig operation: The function doesn't exist.",
            (await Put("--function-name", "nobody", "--maximum-retry-attempts", "1")).Stderr);
        Assert.Contains("(ResourceNotFoundException) when calling the PutFunctionEventInvokeConfig operation: The function doesn't exist.",
            (await Put("--function-name", "source", "--qualifier", "nope", "--maximum-retry-attempts", "1")).Stderr);
        // The function is looked for before the destination is checked.
        Assert.Contains("(ResourceNotFoundException) when calling the PutFunctionEventInvokeConfig operation: The function doesn't exist.",
            (await Put("--function-name", "nobody", "--destination-config", """{"OnFailure":{"Destination":"arn:aws:lambda:us-east-1:000000000000:function:alsonobody"}}""")).Stderr);
        Assert.Contains("The destination ARN arn:aws:lambda:us-east-1:000000000000:function:nobody is invalid.",
            (await Put("--function-name", "source", "--destination-config", """{"OnFailure":{"Destination":"arn:aws:lambda:us-east-1:000000000000:function:nobody"}}""")).Stderr);
        Assert.Contains("You can't specify the function as a destination for itself.",
            (await Put("--function-name", "source", "--destination-config", """{"OnSuccess":{"Destination":"arn:aws:lambda:us-east-1:000000000000:function:source"}}""")).Stderr);
        Assert.Contains("Handshake delivers invocation records to Lambda functions only",
            (await Put("--function-name", "source", "--destination-config", """{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:000000000000:dlq"}}""")).Stderr);
        Assert.Contains("at 'destinationConfig.onFailure.destination' failed to satisfy constraint",
            (await Put("--function-name", "source", "--destination-config", """{"OnFailure":{"Destination":"not-an-arn"}}""")).Stderr);

        // Ranges are the model's: the AWS CLI checks the minimum itself, so the maximum is what reaches the host.
        var tooMany = await Put("--function-name", "source", "--maximum-retry-attempts", "3");
        Assert.Contains("(ValidationException)", tooMany.Stderr);
        Assert.Contains("Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2", tooMany.Stderr);
        var tooOld = await Put("--function-name", "source", "--maximum-event-age-in-seconds", "21601");
        Assert.Contains("Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600", tooOld.Stderr);
    }
}
