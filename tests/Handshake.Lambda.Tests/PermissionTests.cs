using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Resource-based policies (AddPermission, GetPolicy, RemovePermission) through the AWS CLI, with Lambda's shapes and errors.</summary>
public sealed class PermissionTests
{
    [Fact]
    public async Task The_AWS_CLI_adds_reads_and_removes_permissions()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("target");
        server.Test.Host.PublishVersion("target");
        server.Test.Host.CreateAlias("target", new Functions.FunctionAlias { Name = "live", FunctionVersion = "1" });
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", endpoint], environment);

        var none = await Cli("get-policy", "--function-name", "target");
        Assert.Contains("(ResourceNotFoundException) when calling the GetPolicy operation: The resource you requested does not exist.", none.Stderr);

        var added = await Cli("add-permission", "--function-name", "target", "--statement-id", "s3-invoke", "--action", "lambda:InvokeFunction",
            "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::bucket", "--source-account", "000000000000");
        Assert.True(added.ExitCode == 0, added.Stderr);
        JsonElement statement = JsonDocument.Parse(JsonDocument.Parse(added.Stdout).RootElement.GetProperty("Statement").GetString()!).RootElement;
        Assert.Equal("s3-invoke", statement.GetProperty("Sid").GetString());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("s3.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:target", statement.GetProperty("Resource").GetString());
        Assert.Equal("arn:aws:s3:::bucket", statement.GetProperty("Condition").GetProperty("ArnLike").GetProperty("AWS:SourceArn").GetString());
        Assert.Equal("000000000000", statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("AWS:SourceAccount").GetString());

        var account = await Cli("add-permission", "--function-name", "target", "--statement-id", "account", "--action", "lambda:GetFunction", "--principal", "123456789012");
        Assert.True(account.ExitCode == 0, account.Stderr);
        var duplicate = await Cli("add-permission", "--function-name", "target", "--statement-id", "account", "--action", "lambda:GetFunction", "--principal", "123456789012");
        Assert.Contains("(ResourceConflictException) when calling the AddPermission operation: The statement id (account) provided already exists. Please provide a new statement id, or remove the existing statement.", duplicate.Stderr);

        var policy = await Cli("get-policy", "--function-name", "target");
        Assert.True(policy.ExitCode == 0, policy.Stderr);
        JsonElement answer = JsonDocument.Parse(policy.Stdout).RootElement;
        JsonElement document = JsonDocument.Parse(answer.GetProperty("Policy").GetString()!).RootElement;
        Assert.Equal("2012-10-17", document.GetProperty("Version").GetString());
        Assert.Equal(["s3-invoke", "account"], document.GetProperty("Statement").EnumerateArray().Select(s => s.GetProperty("Sid").GetString()));
        Assert.Equal("arn:aws:iam::123456789012:root", document.GetProperty("Statement")[1].GetProperty("Principal").GetProperty("AWS").GetString());
        string revision = answer.GetProperty("RevisionId").GetString()!;

        // The alias has a policy of its own.
        Assert.Contains("does not exist", (await Cli("get-policy", "--function-name", "target", "--qualifier", "live")).Stderr);
        var onAlias = await Cli("add-permission", "--function-name", "target:live", "--statement-id", "public", "--action", "lambda:InvokeFunctionUrl",
            "--principal", "*", "--function-url-auth-type", "NONE");
        Assert.True(onAlias.ExitCode == 0, onAlias.Stderr);
        statement = JsonDocument.Parse(JsonDocument.Parse(onAlias.Stdout).RootElement.GetProperty("Statement").GetString()!).RootElement;
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:target:live", statement.GetProperty("Resource").GetString());
        Assert.Equal("*", statement.GetProperty("Principal").GetString());

        var stale = await Cli("remove-permission", "--function-name", "target", "--statement-id", "account", "--revision-id", "00000000-0000-0000-0000-000000000000");
        Assert.Contains("(PreconditionFailedException)", stale.Stderr);
        Assert.Equal(0, (await Cli("remove-permission", "--function-name", "target", "--statement-id", "account", "--revision-id", revision)).ExitCode);
        var gone = await Cli("remove-permission", "--function-name", "target", "--statement-id", "account");
        Assert.Contains("(ResourceNotFoundException) when calling the RemovePermission operation: Statement account is not found in resource policy.", gone.Stderr);
        Assert.Equal(0, (await Cli("remove-permission", "--function-name", "target", "--statement-id", "s3-invoke")).ExitCode);
        Assert.Contains("The resource you requested does not exist.", (await Cli("get-policy", "--function-name", "target")).Stderr);

        var latest = await Cli("add-permission", "--function-name", "target", "--qualifier", "$LATEST", "--statement-id", "x", "--action", "lambda:InvokeFunction", "--principal", "*");
        Assert.Contains("(InvalidParameterValueException) when calling the AddPermission operation: We currently do not support adding policies for $LATEST.", latest.Stderr);
        var badAction = await Cli("add-permission", "--function-name", "target", "--statement-id", "x", "--action", "s3:GetObject", "--principal", "*");
        Assert.Contains("(ValidationException)", badAction.Stderr);
        Assert.Contains("at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern", badAction.Stderr);
        var missing = await Cli("add-permission", "--function-name", "nobody", "--statement-id", "x", "--action", "lambda:InvokeFunction", "--principal", "*");
        Assert.Contains("(ResourceNotFoundException) when calling the AddPermission operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody", missing.Stderr);

        // Deleting the alias takes its policy with it.
        server.Test.Host.DeleteAlias("target", "live");
        server.Test.Host.CreateAlias("target", new Functions.FunctionAlias { Name = "live", FunctionVersion = "1" });
        Assert.Contains("does not exist", (await Cli("get-policy", "--function-name", "target", "--qualifier", "live")).Stderr);
    }
}
