using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Two things a Lambda user sees in every environment: the INIT_START line Lambda writes as an Init phase begins
/// (AWS docs, "Identifying Lambda runtime version changes": once per init, not per invocation), and the X-Ray variables
/// Lambda sets (AWS_XRAY_CONTEXT_MISSING, AWS_XRAY_DAEMON_ADDRESS, _AWS_XRAY_DAEMON_ADDRESS, _AWS_XRAY_DAEMON_PORT).
/// The bash+curl runtime (provided.al2023), a child process.
/// </summary>
public sealed partial class InitStartAndXRayTests
{
    [GeneratedRegex(@"^INIT_START Runtime Version: provided:al2023\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$")]
    private static partial Regex InitStart();

    [Fact]
    public async Task INIT_START_is_the_first_line_of_each_init_and_is_not_written_per_invocation()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("initstart", timeout: 5, reserved: 2);

        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("initstart", "{}", tail: true)));
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("initstart", "{}")));

        List<string> log = await test.LogMessagesAsync("initstart");
        Assert.Matches(InitStart(), log[0]);
        Assert.Single(log, m => m.StartsWith("INIT_START ", StringComparison.Ordinal));
        Assert.Equal(2, log.Count(m => m.StartsWith("START ", StringComparison.Ordinal)));

        // A second, concurrent environment has its own init, and so its own INIT_START (the same runtime version).
        Task<InvocationResult> busy = test.InvokeAsync("initstart", """{"nap":true}""");
        await test.WaitForLogAsync("initstart", m => m.StartsWith("START", StringComparison.Ordinal), count: 3);
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("initstart", "{}")));
        await busy;
        string[] initStarts = [.. (await test.LogMessagesAsync("initstart")).Where(m => m.StartsWith("INIT_START", StringComparison.Ordinal))];
        Assert.Equal(2, initStarts.Length);
        Assert.All(initStarts, m => Assert.Matches(InitStart(), m));
        Assert.Equal(initStarts[0], initStarts[1]);
    }

    [Fact]
    public async Task A_reset_environments_suppressed_reinit_writes_no_INIT_START()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("initreset", timeout: 5);

        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("initreset", "{}")));
        Assert.Equal("Unhandled", (await test.InvokeAsync("initreset", """{"crash":true}""")).FunctionError);
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("initreset", "{}")));

        List<string> log = await test.LogMessagesAsync("initreset");
        Assert.Equal(3, log.Count(m => m.StartsWith("START ", StringComparison.Ordinal)));
        Assert.Single(log, m => m.StartsWith("INIT_START", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nodejs20.x", "nodejs:20.v1")]
    [InlineData("nodejs22.x", "nodejs:22.v1")]
    [InlineData("dotnet8", "dotnet:8.v1")]
    [InlineData("provided.al2023", "provided:al2023.v1")]
    [InlineData("provided.al2", "provided:al2.v1")]
    public void The_runtime_version_is_named_as_Lambda_names_it(string runtime, string expected)
    {
        Assert.Equal(expected, FunctionRuntime.RuntimeVersion(runtime));
        Assert.Matches(@"^arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}$", FunctionRuntime.RuntimeVersionArn(runtime, "eu-west-1"));
    }

    [Fact]
    public async Task Every_environment_has_Lambdas_XRay_variables_and_a_functions_own_daemon_address_wins()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("xray", timeout: 5);
        test.AddBash("xray-own", timeout: 5, environment: new() { ["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.2:3000", ["AWS_XRAY_CONTEXT_MISSING"] = "IGNORE_ERROR" });

        JsonElement env = TestHost.Json(await test.InvokeAsync("xray", """{"environment":true}"""));
        Assert.Equal("LOG_ERROR", env.GetProperty("AWS_XRAY_CONTEXT_MISSING").GetString());
        Assert.Equal("127.0.0.1:2000", env.GetProperty("AWS_XRAY_DAEMON_ADDRESS").GetString());
        Assert.Equal("127.0.0.1", env.GetProperty("_AWS_XRAY_DAEMON_ADDRESS").GetString());
        Assert.Equal("2000", env.GetProperty("_AWS_XRAY_DAEMON_PORT").GetString());

        JsonElement own = TestHost.Json(await test.InvokeAsync("xray-own", """{"environment":true}"""));
        Assert.Equal("IGNORE_ERROR", own.GetProperty("AWS_XRAY_CONTEXT_MISSING").GetString());
        Assert.Equal("127.0.0.2:3000", own.GetProperty("AWS_XRAY_DAEMON_ADDRESS").GetString());
        Assert.Equal("127.0.0.2", own.GetProperty("_AWS_XRAY_DAEMON_ADDRESS").GetString());
        Assert.Equal("3000", own.GetProperty("_AWS_XRAY_DAEMON_PORT").GetString());
    }
}
