using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>GetAccountSettings and the account's unreserved concurrency, through the AWS CLI.</summary>
public sealed class AccountSettingsTests
{
    [Fact]
    public async Task Account_settings_show_the_limit_what_functions_reserve_and_their_code()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { AccountConcurrencyLimit = 10 });
        server.Test.AddBash("first");
        server.Test.AddBash("second");
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", endpoint], environment);

        Assert.Equal(0, (await Cli("put-function-concurrency", "--function-name", "first", "--reserved-concurrent-executions", "6")).ExitCode);
        // Together the functions may not reserve more than the account has: 6 + 5 > 10.
        var over = await Cli("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "5");
        Assert.Contains("(InvalidParameterValueException) when calling the PutFunctionConcurrency operation: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].", over.Stderr);
        // A reservation so large that the sum would overflow an int is refused too.
        var huge = await Cli("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "2147483647");
        Assert.Contains("(InvalidParameterValueException)", huge.Stderr);
        Assert.Equal(0, (await Cli("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "4")).ExitCode);
        // A function's own reservation is replaced, not added to.
        Assert.Equal(0, (await Cli("put-function-concurrency", "--function-name", "first", "--reserved-concurrent-executions", "6")).ExitCode);

        var settings = await Cli("get-account-settings");
        Assert.True(settings.ExitCode == 0, settings.Stderr);
        JsonElement answer = JsonDocument.Parse(settings.Stdout).RootElement;
        Assert.Equal(10, answer.GetProperty("AccountLimit").GetProperty("ConcurrentExecutions").GetInt32());
        Assert.Equal(0, answer.GetProperty("AccountLimit").GetProperty("UnreservedConcurrentExecutions").GetInt32());
        Assert.Equal(2, answer.GetProperty("AccountUsage").GetProperty("FunctionCount").GetInt32());
        Assert.Equal(52428800, answer.GetProperty("AccountLimit").GetProperty("CodeSizeZipped").GetInt64());

        Assert.Equal(0, (await Cli("delete-function-concurrency", "--function-name", "second")).ExitCode);
        answer = JsonDocument.Parse((await Cli("get-account-settings")).Stdout).RootElement;
        Assert.Equal(4, answer.GetProperty("AccountLimit").GetProperty("UnreservedConcurrentExecutions").GetInt32());
    }
}
