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
        AssertTrace(json.RootElement, "TypeError: bad thing happened");
        Assert.True(second.IsError);
    }

    [Fact]
    public async Task Error_body_has_AWSs_keys_in_AWSs_order_and_the_log_line_has_the_stack()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.throws");

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal(["errorType", "errorMessage", "trace"], json.RootElement.EnumerateObject().Select(p => p.Name));
        await WaitForOutputAsync(function, "\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\",\"errorMessage\":\"bad thing happened\",\"stack\":[\"TypeError: bad thing happened\",");
    }

    [Fact]
    public async Task A_thrown_string_is_reported_with_its_JavaScript_type_and_an_empty_trace()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.throwsString");

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.True(outcome.IsError, function.Output);
        Assert.Equal("""{"errorType":"string","errorMessage":"plain text","trace":[]}""", outcome.Body);
    }

    [Fact]
    public async Task A_rejection_with_no_reason_fails_with_handled()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "plain.rejectsWithNothing");

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.True(outcome.IsError, function.Output);
        Assert.Equal("""{"errorType":"string","errorMessage":"handled","trace":[]}""", outcome.Body);
    }

    // Lambda's nodejs20.x/22.x runtime uses a plain function's result only when it is a promise; otherwise the
    // invocation ends with null once the event loop has drained.
    [Theory]
    [InlineData("plain.returns", "null")]
    [InlineData("plain.returnsPendingPromise", "null")]
    [InlineData("plain.returnsPromise", """{"fromPromise":true,"echo":{"n":1}}""")]
    public async Task A_plain_handlers_return_value_is_ignored_unless_it_is_a_promise(string handler, string expected)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler);

        var first = await api.InvokeAsync("""{"n":1}""").WaitAsync(Timeout);
        var second = await api.InvokeAsync("""{"n":1}""").WaitAsync(Timeout);

        Assert.False(first.IsError, function.Output);
        Assert.Equal(expected, first.Body);
        Assert.Equal(expected, second.Body);
    }

    [Fact]
    public async Task A_plain_handler_answers_after_its_pending_timers_have_run()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "plain.returnsWithTimer");
        await api.InvokeAsync("{}").WaitAsync(Timeout); // warm: the first one also waits for the module to load

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.Equal("null", outcome.Body);
        // The handler returned at once and left a 300 ms timer: the answer waited for it.
        Assert.True(clock.ElapsedMilliseconds >= 250, $"answered after {clock.ElapsedMilliseconds} ms");
        await WaitForOutputAsync(function, "\tINFO\ttimer ran before the answer");
    }

    [Theory]
    [InlineData("plain.callbackWaits", """{"timerRan":true}""")]
    [InlineData("plain.callbackDoesNotWait", """{"timerRan":false}""")]
    public async Task A_callbacks_result_waits_for_the_event_loop_unless_told_not_to(string handler, string expected)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler);

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal(expected, outcome.Body);
    }

    [Fact]
    public async Task An_async_handler_that_never_settles_answers_Runtime_NodeJsExit_and_the_loop_goes_on()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.neverSettles");

        var first = await api.InvokeAsync("{}").WaitAsync(Timeout);
        var second = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.True(first.IsError, function.Output);
        using var json = JsonDocument.Parse(first.Body);
        Assert.Equal("Runtime.NodeJsExit", json.RootElement.GetProperty("errorType").GetString());
        Assert.StartsWith("The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.", json.RootElement.GetProperty("errorMessage").GetString());
        AssertTrace(json.RootElement, "Runtime.NodeJsExit: The Lambda runtime client detected");
        Assert.True(second.IsError);
        Assert.Contains("Runtime.NodeJsExit", second.Body);
    }

    [Fact]
    public async Task An_unhandled_rejection_fails_the_invocation_as_Runtime_UnhandledPromiseRejection_and_exits_128()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "async.rejectsUnhandled");

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.True(outcome.IsError, function.Output);
        Assert.Equal("Runtime.UnhandledPromiseRejection", outcome.ErrorTypeHeader);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal("Runtime.UnhandledPromiseRejection", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("Error: nobody caught this", json.RootElement.GetProperty("errorMessage").GetString());
        AssertTrace(json.RootElement, "Runtime.UnhandledPromiseRejection: Error: nobody caught this");
        Assert.Equal(128, exitCode);
    }

    // What AWS's runtime (UserFunction.load) reports. Only a syntax error and a missing module are wrapped; anything else
    // thrown while the module loads keeps its own type. All are posted to /init/error and the process exits 129.
    [Theory]
    [InlineData("async.missing", "Runtime.HandlerNotFound", "async.missing is undefined or not exported")]
    [InlineData("async.notAFunction", "Runtime.HandlerNotFound", "async.notAFunction is not a function")]
    [InlineData("nosuchfile.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nosuchfile'\nRequire stack:\n- ")]
    [InlineData("requiresmissing.handler", "Runtime.ImportModuleError", "Error: Cannot find module './no-such-dependency'\nRequire stack:\n- ")]
    [InlineData("syntax.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: ")]
    [InlineData("initthrows.handler", "Error", "init failed")]
    [InlineData("nodot", "Runtime.MalformedHandlerName", "Bad handler")]
    [InlineData("../up.handler", "Runtime.MalformedHandlerName", "'../up.handler' is not a valid handler name.")]
    public async Task Init_errors_are_posted_to_init_error_and_the_process_exits(string handler, string errorType, string messageStart)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler);

        var initError = await api.InitError.WaitAsync(Timeout);
        var exitCode = await function.WaitForExitAsync(Timeout);

        Assert.Equal(129, exitCode);
        Assert.Equal(errorType, initError.ErrorTypeHeader);
        using var json = JsonDocument.Parse(initError.Body);
        Assert.Equal(errorType, json.RootElement.GetProperty("errorType").GetString());
        Assert.StartsWith(messageStart, json.RootElement.GetProperty("errorMessage").GetString());
        AssertTrace(json.RootElement, $"{errorType}: {messageStart.Split('\n')[0]}");
        Assert.Contains("\tundefined\tERROR\tUncaught Exception \t{\"errorType\":", function.Output);
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

    /// <summary>AWS's `trace`: the stack split on newlines, its first line included (the error's "Type: message").</summary>
    private static void AssertTrace(JsonElement error, string firstLineStart)
    {
        var trace = error.GetProperty("trace").EnumerateArray().Select(line => line.GetString()!).ToArray();
        Assert.True(trace.Length > 1, string.Join('\n', trace));
        Assert.StartsWith(firstLineStart, trace[0]);
        Assert.Contains(trace, line => line.StartsWith("    at ", StringComparison.Ordinal));
        Assert.False(error.TryGetProperty("stackTrace", out _));
    }

    private static async Task WaitForOutputAsync(FunctionProcess function, string text)
    {
        // stdout is read asynchronously: the line may land a moment after the post it precedes. Bounded by the tests' deadline, not
        // 100 polls (about 5 s, which a loaded machine can use up): a passing test waits only until the line is there.
        DateTime giveUp = DateTime.UtcNow + Timeout;
        while (!function.Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(50);
        }

        Assert.Contains(text, function.Output);
    }
}
