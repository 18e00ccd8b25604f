namespace Handshake.Lambda.Tests;

/// <summary>
/// The tests' AWS CLI worker (<see cref="AwsCli"/>) answers as an `aws` process does: the same exit code, standard
/// output and standard error for a success, a usage error and a missing argument, and each command sees its own
/// variables only, not the ones the command before it was given.
/// </summary>
public sealed class AwsCliWorkerTests
{
    [Theory]
    [InlineData("configure", "list")]
    [InlineData("lambda", "no-such-operation")]
    [InlineData("lambda", "get-function")]
    [InlineData("--version")]
    public async Task A_command_answers_as_an_aws_process_does(params string[] arguments)
    {
        Dictionary<string, string> environment = new()
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDWORKER1234",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
            ["AWS_DEFAULT_REGION"] = "eu-west-3",
        };

        var process = await Repository.RunAsync("aws", arguments, environment);
        var worker = await AwsCli.RunAsync(arguments, environment);

        Assert.Equal(process, worker);
    }

    [Fact]
    public async Task Each_command_sees_its_own_variables_only()
    {
        // Both commands run one after the other, so the second takes the worker the first gave back.
        var given = await AwsCli.RunAsync(["configure", "list"], new() { ["AWS_DEFAULT_REGION"] = "eu-west-3", ["AWS_ACCESS_KEY_ID"] = "AKIDWORKER1234", ["AWS_SECRET_ACCESS_KEY"] = "secret" });
        var next = await AwsCli.RunAsync(["configure", "list"], new() { ["AWS_DEFAULT_REGION"] = "ap-south-1" }, unset: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);

        Assert.Equal(0, given.ExitCode);
        Assert.Contains("eu-west-3", given.Stdout);
        Assert.Contains("1234", given.Stdout);
        Assert.Equal(0, next.ExitCode);
        Assert.Contains("ap-south-1", next.Stdout);
        Assert.DoesNotContain("eu-west-3", next.Stdout);
        Assert.DoesNotContain("1234", next.Stdout);
    }
}
