using System.Text.Json;
using Handshake.Runtime.Context;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>
/// The C# client under AWS_LAMBDA_LOG_FORMAT=JSON, checked against what AWS's .NET runtime (Amazon.Lambda.RuntimeSupport,
/// JsonLogMessageFormatter) writes: the line's shape in-process, then the TestFunction executable as a child process.
/// Each process test ends the function by taking its Runtime API away and reads the output once the process has
/// exited, so every line it wrote is there: no polling.
/// </summary>
public sealed class JsonLogFormatTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Order = """{"item":"a","quantity":1,"unitPrice":1}""";
    private const string Trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    [Fact]
    public void A_line_has_AWSs_keys_in_AWSs_order()
    {
        var line = JsonLogLine.Format("2026-11-28T19:30:00.123Z", "Information", "req-1", Trace, "hello");

        Assert.Equal($$"""{"timestamp":"2026-11-28T19:30:00.123Z","level":"Information","requestId":"req-1","traceId":"{{Trace}}","message":"hello"}""", line);
    }

    [Fact]
    public void An_empty_request_id_or_trace_id_is_left_out_and_a_multi_line_message_stays_one_line()
    {
        var line = JsonLogLine.Format("2026-11-28T19:30:00.123Z", "Error", "", null, "first\nsecond \"quoted\" <tag>");

        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        Assert.Equal(["timestamp", "level", "message"], Keys(json.RootElement));
        Assert.Equal("first\nsecond \"quoted\" <tag>", json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void A_lone_surrogate_in_a_message_does_not_throw()
    {
        var line = JsonLogLine.Format("2026-11-28T19:30:00.123Z", "Information", "req-1", null, "half \ud800 a pair");

        using var json = JsonDocument.Parse(line);
        Assert.StartsWith("half ", json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Json_format_writes_the_logger_and_console_lines_as_json_with_level_request_id_and_trace_id()
    {
        var (lines, requestId) = await RunOnceAsync("context", Order, Trace, new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON" });

        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            Assert.Equal(["timestamp", "level", "requestId", "traceId", "message"], Keys(line));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("timestamp").GetString());
            Assert.Equal(requestId, line.GetProperty("requestId").GetString());
            Assert.Equal(Trace, line.GetProperty("traceId").GetString());
        }

        // context.Logger.LogLine and Console.WriteLine at Information, Console.Error.WriteLine at Error: the full
        // names, where the text format writes info and fail. (Sorted: stdout and stderr reach the test in either order.)
        Assert.Equal(
            [("Error", "plain error line"), ("Information", "context handler ran"), ("Information", "plain console line")],
            lines.Select(l => (l.GetProperty("level").GetString(), l.GetProperty("message").GetString())).Order());
    }

    [Fact]
    public async Task Json_format_leaves_the_trace_id_out_when_the_invocation_has_none()
    {
        var (lines, _) = await RunOnceAsync("context", Order, traceId: null, new() { ["AWS_LAMBDA_LOG_FORMAT"] = "json" });

        Assert.Equal(3, lines.Count);
        Assert.All(lines, line => Assert.Equal(["timestamp", "level", "requestId", "message"], Keys(line)));
    }

    [Fact]
    public async Task Json_format_drops_the_levels_below_AWS_LAMBDA_LOG_LEVEL()
    {
        var (lines, _) = await RunOnceAsync("context", Order, Trace, new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON", ["AWS_LAMBDA_LOG_LEVEL"] = "ERROR" });

        var line = Assert.Single(lines);
        Assert.Equal("Error", line.GetProperty("level").GetString());
        Assert.Equal("plain error line", line.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Json_format_logs_a_handlers_exception_as_one_line_with_the_whole_exception_as_message()
    {
        var (lines, _) = await RunOnceAsync("throw", """{"item":"a","quantity":-1,"unitPrice":1}""", Trace, new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON" });

        var line = Assert.Single(lines);
        // As AWS's runtime logs it (Console.Error.WriteLine(exception)): no errorType/errorMessage/stackTrace keys.
        Assert.Equal(["timestamp", "level", "requestId", "traceId", "message"], Keys(line));
        Assert.Equal("Error", line.GetProperty("level").GetString());
        Assert.Matches("^[0-9a-f-]{36}$", line.GetProperty("requestId").GetString());
        Assert.Equal(Trace, line.GetProperty("traceId").GetString());
        var message = line.GetProperty("message").GetString()!;
        Assert.StartsWith("System.InvalidOperationException: negative quantity -1\n   at ", message);
    }

    [Fact]
    public async Task Json_format_logs_an_init_error_without_a_request_id()
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, "init-error",
            new Dictionary<string, string> { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON" });

        await api.InitError.WaitAsync(Timeout);
        Assert.Equal(1, await function.WaitForExitAsync(Timeout));

        var line = Assert.Single(JsonLines(function.Output));
        Assert.Equal(["timestamp", "level", "message"], Keys(line));
        Assert.Equal("Error", line.GetProperty("level").GetString());
        Assert.StartsWith("System.InvalidOperationException: init failed on purpose", line.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Text_format_is_unchanged_without_the_variable()
    {
        var api = await FakeRuntimeApi.StartAsync();
        var output = await RunAndExitAsync(api, "context", Order, Trace, []);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, line => line.StartsWith('{'));
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tinfo\tcontext handler ran\n", output);
        Assert.Matches(@"\d{3}Z\t[0-9a-f-]{36}\tinfo\tplain console line\n", output);
        Assert.Matches(@"\d{3}Z\t[0-9a-f-]{36}\tfail\tplain error line\n", output);
    }

    /// <summary>
    /// Runs one invocation and returns the function's JSON log lines, without the line the runtime writes when its
    /// Runtime API goes away, and the request id (the context handler answers it; otherwise empty).
    /// </summary>
    private static async Task<(List<JsonElement> Lines, string RequestId)> RunOnceAsync(
        string handler, string payload, string? traceId, Dictionary<string, string> environment)
    {
        var api = await FakeRuntimeApi.StartAsync();
        string requestId = string.Empty;
        var output = await RunAndExitAsync(api, handler, payload, traceId, environment, outcome =>
        {
            if (!outcome.IsError)
            {
                requestId = JsonDocument.Parse(outcome.Body).RootElement.GetProperty("awsRequestId").GetString()!;
            }
        });
        var lines = JsonLines(output)
            .Where(line => !line.GetProperty("message").GetString()!.StartsWith("Runtime API unavailable, exiting", StringComparison.Ordinal))
            .ToList();
        return (lines, requestId);
    }

    /// <summary>One invocation, then the Runtime API is taken away and the function exits by itself (code 2).</summary>
    private static async Task<string> RunAndExitAsync(
        FakeRuntimeApi api, string handler, string payload, string? traceId, Dictionary<string, string> environment,
        Action<RuntimeOutcome>? answered = null)
    {
        var apiDisposed = false;
        try
        {
            await using var function = Functions.StartDotnet(api, Functions.TestFunctionDll, handler, environment);
            var outcome = await api.InvokeAsync(payload, traceId: traceId).WaitAsync(Timeout);
            answered?.Invoke(outcome);

            await api.DisposeAsync();
            apiDisposed = true;
            Assert.Equal(2, await function.WaitForExitAsync(Timeout));
            return function.Output;
        }
        finally
        {
            if (!apiDisposed)
            {
                await api.DisposeAsync();
            }
        }
    }

    /// <summary>Each output line parsed: a line that is not JSON fails the test.</summary>
    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
