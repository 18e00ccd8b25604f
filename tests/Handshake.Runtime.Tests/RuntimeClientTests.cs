using System.Text.Json;
using Handshake.Runtime.Bootstrap;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>The C# runtime client as a real child process (`dotnet Function.dll`) against the fake Runtime API.</summary>
public sealed class RuntimeClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Noop_sample_echoes_the_event()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.NoopDll, "Noop");

        var outcome = await api.InvokeAsync("""{"hello":"world","n":[1,2,3]}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"hello":"world","n":[1,2,3]}""", outcome.Body);
    }

    [Fact]
    public async Task Typed_handler_deserializes_the_event_and_serializes_the_result()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "typed");

        var outcome = await api.InvokeAsync("""{"item":"pencil","quantity":3,"unitPrice":1.25}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal("pencil", json.RootElement.GetProperty("item").GetString());
        Assert.Equal(3.75m, json.RootElement.GetProperty("total").GetDecimal());
        Assert.Equal(36, json.RootElement.GetProperty("requestId").GetString()!.Length);
    }

    [Fact]
    public async Task Stream_handler_gets_the_raw_bytes()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "stream");

        var outcome = await api.InvokeAsync("\"shout\"").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("\"SHOUT\"", outcome.Body);
    }

    [Fact]
    public async Task Thrown_exception_is_posted_in_Lambdas_error_shape_and_the_loop_goes_on()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "throw");

        var failed = await api.InvokeAsync("""{"item":"pencil","quantity":-2,"unitPrice":1}""").WaitAsync(Timeout);
        var succeeded = await api.InvokeAsync("""{"item":"pencil","quantity":2,"unitPrice":1}""").WaitAsync(Timeout);

        Assert.True(failed.IsError, function.Output);
        Assert.Equal("InvalidOperationException", failed.ErrorTypeHeader);
        Assert.Equal("application/vnd.aws.lambda.error+json", failed.ContentType);
        using var json = JsonDocument.Parse(failed.Body);
        Assert.Equal("negative quantity -2", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("InvalidOperationException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.True(json.RootElement.GetProperty("stackTrace").GetArrayLength() > 0);
        Assert.False(succeeded.IsError, function.Output);
        // Logged as AWS's runtime logs it: the whole exception at level fail.
        await WaitForOutputAsync(function, "negative quantity -2");
        Assert.Matches(@"Z\t[^\t]+\tfail\tSystem.InvalidOperationException: negative quantity -2", function.Output);
    }

    [Fact]
    public async Task Invalid_json_event_is_a_function_error_not_a_crash()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "typed");

        var failed = await api.InvokeAsync("{not json").WaitAsync(Timeout);
        var succeeded = await api.InvokeAsync("""{"item":"a","quantity":1,"unitPrice":1}""").WaitAsync(Timeout);

        Assert.True(failed.IsError);
        Assert.Equal("JsonException", failed.ErrorTypeHeader);
        Assert.False(succeeded.IsError, function.Output);
    }

    [Fact]
    public async Task Init_error_is_posted_to_init_error_and_the_process_exits()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "init-error");

        var initError = await api.InitError.WaitAsync(Timeout);
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.Equal(LambdaRuntime.InitErrorExitCode, exitCode);
        Assert.Equal("InvalidOperationException", initError.ErrorTypeHeader);
        using var json = JsonDocument.Parse(initError.Body);
        Assert.Equal("init failed on purpose", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("InvalidOperationException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(0, api.NextCalls);
    }

    [Fact]
    public async Task Context_carries_the_invocation_and_the_environment()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "context");
        var deadline = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

        var outcome = await api.InvokeAsync("""{"item":"a","quantity":1,"unitPrice":1}""", deadline, trace, """{"custom":{"k":"v"}}""").WaitAsync(Timeout);
        var past = await api.InvokeAsync("""{"item":"a","quantity":1,"unitPrice":1}""", deadlineMs: 1).WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        using var json = JsonDocument.Parse(outcome.Body);
        var root = json.RootElement;
        Assert.Equal("test-function", root.GetProperty("functionName").GetString());
        Assert.Equal("$LATEST", root.GetProperty("functionVersion").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:test-function", root.GetProperty("invokedFunctionArn").GetString());
        Assert.Equal(256, root.GetProperty("memoryLimitInMB").GetInt32());
        Assert.Equal("/aws/lambda/test-function", root.GetProperty("logGroupName").GetString());
        Assert.Equal("2026/11/26/[$LATEST]0123456789abcdef", root.GetProperty("logStreamName").GetString());
        Assert.Equal(trace, root.GetProperty("traceId").GetString());
        Assert.Equal(trace, root.GetProperty("traceIdVariable").GetString());
        Assert.Equal("""{"custom":{"k":"v"}}""", root.GetProperty("clientContext").GetString());
        // The remaining time comes from the deadline header: positive, and never more than what the deadline allows.
        var remaining = root.GetProperty("remainingTimeMs").GetInt64();
        Assert.InRange(remaining, 1, 10 * 60 * 1000);

        using var pastJson = JsonDocument.Parse(past.Body);
        Assert.Equal(0, pastJson.RootElement.GetProperty("remainingTimeMs").GetInt64());
        Assert.Equal(JsonValueKind.Null, pastJson.RootElement.GetProperty("traceIdVariable").ValueKind);
        // AWS's .NET runtime layout: timestamp, request id, level (Microsoft.Extensions.Logging's "info"), message.
        await WaitForOutputAsync(function, "plain error line");
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[^\t]+\tinfo\tcontext handler ran", function.Output);
        // Console.WriteLine is prefixed too, as AWS's runtime does it: info on stdout, fail on stderr.
        Assert.Matches(@"\d{3}Z\t[^\t]+\tinfo\tplain console line", function.Output);
        Assert.Matches(@"\d{3}Z\t[^\t]+\tfail\tplain error line", function.Output);
    }

    [Fact]
    public async Task AWS_LAMBDA_LOG_LEVEL_drops_lines_below_it()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "context",
            new Dictionary<string, string> { ["AWS_LAMBDA_LOG_LEVEL"] = "ERROR" });

        var outcome = await api.InvokeAsync("""{"item":"a","quantity":1,"unitPrice":1}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        await WaitForOutputAsync(function, "plain error line");
        Assert.DoesNotContain("context handler ran", function.Output);
        Assert.DoesNotContain("plain console line", function.Output);
    }

    private static async Task WaitForOutputAsync(FunctionProcess function, string text)
    {
        // The function's output is read asynchronously: a line may land a moment after the post it precedes. Bounded by the tests' deadline, not
        // 100 polls (about 5 s, which a loaded machine can use up): a passing test waits only until the line is there.
        DateTime giveUp = DateTime.UtcNow + Timeout;
        while (!function.Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(50);
        }

        Assert.Contains(text, function.Output);
    }

    [Fact]
    public async Task Many_invocations_ride_one_connection()
    {
        const int invocations = 50;
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.NoopDll, "Noop");

        for (var i = 0; i < invocations; i++)
        {
            var outcome = await api.InvokeAsync($"{{\"i\":{i}}}").WaitAsync(Timeout);
            Assert.Equal($"{{\"i\":{i}}}", outcome.Body);
        }

        Assert.Equal(1, api.Connections);
        Assert.True(api.NextCalls >= invocations, $"{api.NextCalls} next calls");
    }

    [Fact]
    public async Task Noop_function_runs_no_socket_engine_thread_pool_or_tiering_threads()
    {
        // Every thread of a function is stopped and woken again on each freeze and thaw: the synchronous client and the
        // sample's settings keep the threads that would only sit there out of the process.
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.NoopDll, "Noop");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"{i}", (await api.InvokeAsync($"{i}").WaitAsync(Timeout)).Body);
        }

        var names = new List<string>();
        foreach (var task in Directory.GetDirectories($"/proc/{function.ProcessId}/task"))
        {
            names.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
        }

        Assert.DoesNotContain(names, name => name.StartsWith(".NET Sockets", StringComparison.Ordinal));
        Assert.DoesNotContain(names, name => name.StartsWith(".NET TP", StringComparison.Ordinal));
        Assert.DoesNotContain(names, name => name.StartsWith(".NET Tiered", StringComparison.Ordinal));
        Assert.DoesNotContain(names, name => name.StartsWith(".NET BGC", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    public async Task Rejected_response_is_logged_and_the_loop_goes_on(int status)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.NoopDll, "Noop");

        var rejected = await api.InvokeAsync("\"first\"", rejectWith: status).WaitAsync(Timeout);
        var next = await api.InvokeAsync("\"second\"").WaitAsync(Timeout);

        Assert.Equal("\"first\"", rejected.Body);
        Assert.Equal("\"second\"", next.Body);
        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task Lost_runtime_api_makes_the_runtime_exit()
    {
        var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.NoopDll, "Noop");
        var outcome = await api.InvokeAsync("1").WaitAsync(Timeout);
        Assert.Equal("1", outcome.Body);

        await api.DisposeAsync();
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.Equal(LambdaRuntime.RuntimeApiExitCode, exitCode);
    }
}
