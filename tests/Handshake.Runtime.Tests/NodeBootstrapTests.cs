using System.Text.Json;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>runtimes/node/bootstrap.js as a real `node` child process against the fake Runtime API.</summary>
public sealed class NodeBootstrapTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Async_handler_gets_the_event_and_a_Lambda_context()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.handler");
        var deadline = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";

        var outcome = await api.InvokeAsync("""{"a":1}""", deadline, trace, """{"custom":{"k":"v"}}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        using var json = JsonDocument.Parse(outcome.Body);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("echo").GetProperty("a").GetInt32());
        Assert.Equal(36, root.GetProperty("awsRequestId").GetString()!.Length);
        Assert.Equal("test-function", root.GetProperty("functionName").GetString());
        Assert.Equal("$LATEST", root.GetProperty("functionVersion").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:test-function", root.GetProperty("invokedFunctionArn").GetString());
        Assert.Equal("256", root.GetProperty("memoryLimitInMB").GetString());
        Assert.Equal("/aws/lambda/test-function", root.GetProperty("logGroupName").GetString());
        Assert.Equal("2026/11/26/[$LATEST]0123456789abcdef", root.GetProperty("logStreamName").GetString());
        Assert.Equal(trace, root.GetProperty("traceIdVariable").GetString());
        Assert.Equal("v", root.GetProperty("clientContext").GetProperty("custom").GetProperty("k").GetString());
        Assert.InRange(root.GetProperty("remainingTimeInMillis").GetInt64(), 1, 10 * 60 * 1000);
    }

    [Fact]
    public async Task Remaining_time_is_zero_past_the_deadline()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.handler");

        var outcome = await api.InvokeAsync("{}", deadlineMs: 1).WaitAsync(Timeout);

        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal(0, json.RootElement.GetProperty("remainingTimeInMillis").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("traceIdVariable").ValueKind);
    }

    [Fact]
    public async Task Callback_handler_answers_through_its_callback()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "callback.handler");

        var outcome = await api.InvokeAsync("""{"n":21}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"doubled":42}""", outcome.Body);
    }

    [Fact]
    public async Task Callback_error_is_posted_in_Lambdas_error_shape()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "callback.fails");

        var outcome = await api.InvokeAsync("""{"n":7}""").WaitAsync(Timeout);

        Assert.True(outcome.IsError, function.Output);
        Assert.Equal("RangeError", outcome.ErrorTypeHeader);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal("out of range: 7", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("RangeError", json.RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Esm_handler_is_loaded_with_import()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "esm.handler");

        var outcome = await api.InvokeAsync("""{"x":"y"}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"esm":true,"echo":{"x":"y"}}""", outcome.Body);
    }

    [Fact]
    public async Task Js_file_under_type_module_is_loaded_as_esm()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "index.handler", Path.Combine(Functions.NodeFunctionsDirectory, "esm-package"));

        var outcome = await api.InvokeAsync("""{"x":1}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"typeModule":true,"echo":{"x":1}}""", outcome.Body);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    public async Task Rejected_response_is_logged_and_the_loop_goes_on(int status)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "esm.handler");

        var rejected = await api.InvokeAsync("1", rejectWith: status).WaitAsync(Timeout);
        var next = await api.InvokeAsync("2").WaitAsync(Timeout);

        Assert.Equal("""{"esm":true,"echo":1}""", rejected.Body);
        Assert.Equal("""{"esm":true,"echo":2}""", next.Body);
        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task Console_lines_carry_the_request_id()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.logs");

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        var requestId = outcome.Body.Trim('"');
        Assert.Contains($"\t{requestId}\tINFO\tlogged from the handler 42", function.Output);
    }

    [Theory]
    [InlineData("async.nested.handler", """{"nested":true,"n":3}""")]
    [InlineData("lib/deep.handler", "\"deep\"")]
    [InlineData("common.handler", "\"cjs\"")]
    public async Task Handler_strings_resolve_like_Lambdas(string handler, string expected)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler);

        var outcome = await api.InvokeAsync("""{"n":3}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal(expected, outcome.Body);
    }

    [Fact]
    public async Task Thrown_error_is_posted_with_its_type_and_stack_and_the_loop_goes_on()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.throws");

        var first = await api.InvokeAsync("{}").WaitAsync(Timeout);
        var second = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.True(first.IsError, function.Output);
        Assert.Equal("TypeError", first.ErrorTypeHeader);
        Assert.Equal("application/vnd.aws.lambda.error+json", first.ContentType);
        using var json = JsonDocument.Parse(first.Body);
        Assert.Equal("bad thing happened", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("TypeError", json.RootElement.GetProperty("errorType").GetString());
        Assert.True(json.RootElement.GetProperty("stackTrace").GetArrayLength() > 0);
        Assert.True(second.IsError);
    }

    [Theory]
    [InlineData("async.missing", "Runtime.HandlerNotFound")]
    [InlineData("async.notAFunction", "Runtime.HandlerNotFound")]
    [InlineData("nosuchfile.handler", "Runtime.ImportModuleError")]
    [InlineData("syntax.handler", "Runtime.UserCodeSyntaxError")]
    [InlineData("nodot", "Runtime.MalformedHandlerName")]
    public async Task Init_errors_are_posted_to_init_error_and_the_process_exits(string handler, string errorType)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler);

        var initError = await api.InitError.WaitAsync(Timeout);
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.Equal(1, exitCode);
        Assert.Equal(errorType, initError.ErrorTypeHeader);
        using var json = JsonDocument.Parse(initError.Body);
        Assert.Equal(errorType, json.RootElement.GetProperty("errorType").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("errorMessage").GetString()));
        Assert.Equal(0, api.NextCalls);
    }

    [Fact]
    public async Task Many_invocations_ride_one_connection()
    {
        const int invocations = 50;
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "index.handler", Path.Combine(Functions.RepositoryRoot, "samples", "noop-node"));

        for (var i = 0; i < invocations; i++)
        {
            var outcome = await api.InvokeAsync($"{{\"i\":{i}}}").WaitAsync(Timeout);
            Assert.Equal($"{{\"i\":{i}}}", outcome.Body);
        }

        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task Lost_runtime_api_makes_the_bootstrap_exit()
    {
        var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.handler");
        await api.InvokeAsync("{}").WaitAsync(Timeout);

        await api.DisposeAsync();
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.Equal(2, exitCode);
    }
}
