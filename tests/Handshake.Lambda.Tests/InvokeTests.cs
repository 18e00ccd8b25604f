using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Invocations through a real bash custom runtime (curl over the Runtime API).</summary>
public sealed class InvokeTests
{
    [Fact]
    public async Task An_invocation_returns_the_functions_payload()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("echo");

        InvocationResult result = await test.InvokeAsync("echo", """{"hello":"world"}""");

        Assert.Null(result.FunctionError);
        Assert.Equal("""{"hello":"world"}""", TestHost.Text(result));
        Assert.Equal("$LATEST", result.ExecutedVersion);
    }

    [Fact]
    public async Task Warm_invocations_reuse_one_environment()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("echo");

        List<int> pids = [];
        for (int i = 0; i < 5; i++)
        {
            pids.Add(TestHost.Json(await test.InvokeAsync("echo", """{"pid":1}""")).GetProperty("pid").GetInt32());
        }

        Assert.Single(pids.Distinct());
        Assert.Equal(1, test.Host.PeakEnvironmentCount("echo"));
    }

    [Fact]
    public async Task Next_carries_Lambdas_headers()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { Region = "eu-west-1", AccountId = "123456789012" });
        test.AddBash("headers");

        Invocation invocation = new("req-1234", Encoding.UTF8.GetBytes("""{"headers":true}"""))
        {
            ClientContext = """{"client":{"app":"x"}}""",
            CognitoIdentity = """{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}""",
            TraceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        };
        InvocationResult result = await test.Host.InvokeAsync("headers", invocation).WaitAsync(TestHost.Wait);
        string headers = TestHost.Json(result).GetProperty("headers").GetString()!;

        Assert.Contains("Lambda-Runtime-Aws-Request-Id: req-1234", headers);
        Assert.Contains("Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:123456789012:function:headers", headers);
        Assert.Contains("Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", headers);
        Assert.Contains("""Lambda-Runtime-Client-Context: {"client":{"app":"x"}}""", headers);
        Assert.Contains("""Lambda-Runtime-Cognito-Identity: {"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}""", headers);
        Assert.Matches(@"Lambda-Runtime-Deadline-Ms: \d{13}", headers);
    }

    [Fact]
    public async Task The_environment_has_Lambdas_variables_and_its_own_credentials()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { StoreEndpoint = "http://127.0.0.1:4566" });
        test.AddBash("env", reserved: 2, environment: new() { ["TABLE"] = "records" });

        int yearBefore = DateTime.UtcNow.Year;
        JsonElement env = TestHost.Json(await test.InvokeAsync("env", """{"environment":true}"""));

        Assert.Equal("env", env.GetProperty("AWS_LAMBDA_FUNCTION_NAME").GetString());
        Assert.Equal("$LATEST", env.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString());
        Assert.Equal("128", env.GetProperty("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").GetString());
        Assert.Equal("/aws/lambda/env", env.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        // The year the invocation ran in: the one before it or after it (a run across midnight of 31 December).
        string stream = env.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString()!;
        Assert.True(stream.StartsWith($"{yearBefore}/", StringComparison.Ordinal) || stream.StartsWith($"{DateTime.UtcNow.Year}/", StringComparison.Ordinal), stream);
        Assert.StartsWith("127.0.0.1:", env.GetProperty("AWS_LAMBDA_RUNTIME_API").GetString());
        Assert.Equal("us-east-1", env.GetProperty("AWS_REGION").GetString());
        Assert.Equal("us-east-1", env.GetProperty("AWS_DEFAULT_REGION").GetString());
        Assert.Equal("function.handler", env.GetProperty("_HANDLER").GetString());
        Assert.Equal(TestHost.FunctionDirectory("bash-runtime"), env.GetProperty("LAMBDA_TASK_ROOT").GetString());
        Assert.Equal(":UTC", env.GetProperty("TZ").GetString());
        Assert.False(env.TryGetProperty("AWS_EXECUTION_ENV", out _));
        Assert.Equal("http://127.0.0.1:4566", env.GetProperty("AWS_ENDPOINT_URL").GetString());
        Assert.Equal("http://127.0.0.1:4566", env.GetProperty("AWS_ENDPOINT_URL_DYNAMODB").GetString());
        Assert.Equal("records", env.GetProperty("TABLE").GetString());
        string accessKey = env.GetProperty("AWS_ACCESS_KEY_ID").GetString()!;
        Assert.NotEmpty(env.GetProperty("AWS_SECRET_ACCESS_KEY").GetString()!);
        Assert.NotEmpty(env.GetProperty("AWS_SESSION_TOKEN").GetString()!);
        Assert.True(test.Host.TryGetEnvironment(accessKey, out var identity));
        Assert.Equal("env", identity.FunctionName);
        Assert.False(test.Host.TryGetEnvironment("AKIDUNKNOWN", out _));

        // A second, concurrent environment gets other credentials. The first stays busy until released (a 1 s nap could
        // end first on a loaded machine, and the second invocation would then find it warm).
        Task<InvocationResult> busy = test.InvokeAsync("env", test.HoldEvent(out string release));
        await test.WaitForLogAsync("env", m => m.StartsWith("START", StringComparison.Ordinal), count: 2);
        JsonElement second = TestHost.Json(await test.InvokeAsync("env", """{"environment":true}"""));
        TestHost.Release(release);
        Assert.Null((await busy).FunctionError);
        Assert.NotEqual(accessKey, second.GetProperty("AWS_ACCESS_KEY_ID").GetString());
    }

    [Fact]
    public async Task Tail_returns_the_last_4_KB_of_the_invocations_log()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("tail");

        InvocationResult result = await test.InvokeAsync("tail", """{"x":1}""", tail: true);
        string log = Encoding.UTF8.GetString(Convert.FromBase64String(result.LogResult!));

        Assert.Contains("START RequestId: ", log);
        Assert.Contains("handling ", log);
        Assert.Contains("stderr line for ", log);
        Assert.Contains("END RequestId: ", log);
        Assert.Matches(@"REPORT RequestId: [0-9a-f-]+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms", log);

        InvocationResult noTail = await test.InvokeAsync("tail", """{"x":2}""");
        Assert.Null(noTail.LogResult);
    }

    [Fact]
    public async Task A_function_error_is_answered_Unhandled_with_the_error_payload()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fails");

        InvocationResult result = await test.InvokeAsync("fails", """{"fail":true}""");

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("FailedOnPurpose", TestHost.Json(result).GetProperty("errorType").GetString());
        // The environment stays: the next invocation succeeds in the same one.
        Assert.Null((await test.InvokeAsync("fails", "{}")).FunctionError);
        Assert.Equal(1, test.Host.PeakEnvironmentCount("fails"));
    }

    [Fact]
    public async Task New_Connections_appear_on_REPORT_lines_when_counted()
    {
        long counter = 0;
        await using TestHost test = TestHost.Start(new FunctionHostOptions { NewConnectionsByAccessKey = _ => Interlocked.Add(ref counter, 2) });
        test.AddBash("counted");

        await test.InvokeAsync("counted", "{}");

        await test.WaitForLogAsync("counted", m => m.StartsWith("REPORT", StringComparison.Ordinal));
        Assert.Contains((await test.LogMessagesAsync("counted")), m => m.StartsWith("REPORT", StringComparison.Ordinal) && m.EndsWith("New Connections: 2", StringComparison.Ordinal));
    }
}
