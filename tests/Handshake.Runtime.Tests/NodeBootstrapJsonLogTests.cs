using System.Text.Json;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>
/// runtimes/node/bootstrap.js with AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL, checked against what AWS's runtime
/// (aws-lambda-nodejs-runtime-interface-client 3.x, LogPatch.js) writes. Each test ends the function by taking its
/// Runtime API away and reads the output once the process has exited, so every line it wrote is there: no polling.
/// </summary>
public sealed class NodeBootstrapJsonLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // The bootstrap's own line on stderr when the Runtime API goes away (how every test here ends the function).
    private const string ExitLine = "Runtime API unavailable, exiting";

    [Fact]
    public async Task Json_format_writes_each_console_call_as_one_json_line_in_AWSs_shape()
    {
        var (output, requestId) = await RunOnceAsync("logging.everyLevel", new() { ["AWS_LAMBDA_LOG_FORMAT"] = "json" });

        var lines = JsonLines(output);
        // No AWS_LAMBDA_LOG_LEVEL: nothing is dropped, trace and debug included.
        Assert.Equal(["INFO", "TRACE", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "FATAL", "INFO", "INFO"], lines.Select(l => l.GetProperty("level").GetString()));

        // Before the first invocation there is no request id, so the key is left out (AWS's runtime stringifies undefined).
        var loading = lines[0];
        Assert.Equal(["timestamp", "level", "message"], Keys(loading));
        Assert.Equal("loading the module", loading.GetProperty("message").GetString());

        foreach (var line in lines.Skip(1))
        {
            Assert.Equal(requestId, line.GetProperty("requestId").GetString());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("timestamp").GetString());
        }

        Assert.Equal(["timestamp", "level", "requestId", "message"], Keys(lines[1]));
        Assert.Equal("a trace line", lines[1].GetProperty("message").GetString());
        // Several arguments are util.format'ed into the message.
        Assert.Equal("a log line 7", lines[4].GetProperty("message").GetString());
        // One object argument stays an object.
        Assert.Equal(1, lines[5].GetProperty("message").GetProperty("nested").GetProperty("n").GetInt32());
        Assert.Equal("two", lines[5].GetProperty("message").GetProperty("list")[1].GetString());

        // A message with an error among several arguments: the error's fields at the top level, after the message.
        var failed = lines[6];
        Assert.Equal(["timestamp", "level", "requestId", "message", "errorType", "errorMessage", "stackTrace"], Keys(failed));
        Assert.StartsWith("failed: RangeError: out of range\n    at ", failed.GetProperty("message").GetString());
        Assert.Equal("RangeError", failed.GetProperty("errorType").GetString());
        Assert.Equal("out of range", failed.GetProperty("errorMessage").GetString());
        Assert.Equal("RangeError: out of range", failed.GetProperty("stackTrace")[0].GetString());
        Assert.StartsWith("    at ", failed.GetProperty("stackTrace")[1].GetString());

        Assert.Equal("a fatal line", lines[7].GetProperty("message").GetString());

        // An error alone is the message, as an object: errorType, errorMessage, stackTrace, then its own properties.
        var alone = lines[8].GetProperty("message");
        Assert.Equal(["errorType", "errorMessage", "stackTrace", "code"], Keys(alone));
        Assert.Equal("TypeError", alone.GetProperty("errorType").GetString());
        Assert.Equal("an error alone", alone.GetProperty("errorMessage").GetString());
        Assert.Equal("E_ALONE", alone.GetProperty("code").GetString());

        // A newline inside the message is escaped by JSON: still one line.
        Assert.Equal("first\nsecond", lines[9].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Json_format_drops_the_levels_below_AWS_LAMBDA_LOG_LEVEL()
    {
        var (output, _) = await RunOnceAsync("logging.everyLevel", new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON", ["AWS_LAMBDA_LOG_LEVEL"] = "warn" });

        var lines = JsonLines(output);
        Assert.Equal(["WARN", "ERROR", "FATAL"], lines.Select(l => l.GetProperty("level").GetString()));
    }

    [Fact]
    public async Task Text_format_is_unchanged_without_the_variables_and_keeps_every_level()
    {
        var (output, requestId) = await RunOnceAsync("logging.everyLevel", []);

        var lines = Lines(output);
        Assert.DoesNotContain(lines, line => line.StartsWith('{'));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tundefined\tINFO\tloading the module$", lines[0]);
        // (The test's reader splits lines at \r too, so "first\rsecond" arrives as two: only the first has tabs.)
        Assert.Equal(
            ["INFO", "TRACE", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "FATAL", "INFO", "INFO"],
            lines.Where(line => line.Contains('\t')).Select(line => line.Split('\t')[2]));
        Assert.Contains($"\t{requestId}\tINFO\ta log line 7\n", output);
        Assert.Contains($"\t{requestId}\tINFO\tfirst\nsecond\n", output);
    }

    [Fact]
    public async Task Text_format_also_drops_the_levels_below_AWS_LAMBDA_LOG_LEVEL()
    {
        var (output, requestId) = await RunOnceAsync("logging.everyLevel", new() { ["AWS_LAMBDA_LOG_LEVEL"] = "ERROR" });

        // (The error's stack, joined with \r, arrives as more lines without tabs: see above.)
        var lines = Lines(output).Where(line => line.Contains('\t')).ToList();
        Assert.Equal(["ERROR", "FATAL"], lines.Select(line => line.Split('\t')[2]));
        Assert.StartsWith($"{requestId}\tERROR\tfailed: RangeError: out of range", string.Join('\t', lines[0].Split('\t')[1..]));
    }

    [Fact]
    public async Task An_unknown_level_drops_nothing()
    {
        var (output, _) = await RunOnceAsync("logging.everyLevel", new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON", ["AWS_LAMBDA_LOG_LEVEL"] = "loud" });

        Assert.Equal(10, JsonLines(output).Count);
    }

    [Fact]
    public async Task Json_format_logs_an_invoke_error_as_the_error_object_without_the_label()
    {
        var (output, requestId) = await RunOnceAsync("logging.throws", new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON" });

        var lines = JsonLines(output);
        Assert.Equal(2, lines.Count); // the module's "loading" line, then the error
        var line = lines[1];
        Assert.Equal(["timestamp", "level", "requestId", "message"], Keys(line));
        Assert.Equal("ERROR", line.GetProperty("level").GetString());
        Assert.Equal(requestId, line.GetProperty("requestId").GetString());
        var error = line.GetProperty("message");
        Assert.Equal(["errorType", "errorMessage", "stackTrace"], Keys(error));
        Assert.Equal("TypeError", error.GetProperty("errorType").GetString());
        Assert.Equal($"bad thing happened in {requestId}", error.GetProperty("errorMessage").GetString());
        Assert.Equal($"TypeError: bad thing happened in {requestId}", error.GetProperty("stackTrace")[0].GetString());
        Assert.DoesNotContain("Invoke Error", output);
    }

    [Fact]
    public async Task Json_format_drops_the_invoke_error_line_above_ERROR()
    {
        var (output, _) = await RunOnceAsync("logging.throws", new() { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON", ["AWS_LAMBDA_LOG_LEVEL"] = "FATAL" });

        // Only the module's own line was written, and it is dropped too.
        Assert.Empty(JsonLines(output));
    }

    // An init error's line has no request id, and its errorType is the error's class name (AWS's runtime names the
    // class ImportModuleError; the posted error's type stays Runtime.ImportModuleError).
    [Theory]
    [InlineData("initthrows.handler", "Error", "init failed")]
    [InlineData("nosuchfile.handler", "ImportModuleError", "Error: Cannot find module 'nosuchfile'")]
    [InlineData("async.missing", "HandlerNotFound", "async.missing is undefined or not exported")]
    public async Task Json_format_logs_an_init_error_without_a_request_id(string handler, string errorType, string messageStart)
    {
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler, extra: new Dictionary<string, string> { ["AWS_LAMBDA_LOG_FORMAT"] = "JSON" });

        await api.InitError.WaitAsync(Timeout);
        Assert.Equal(129, await function.WaitForExitAsync(Timeout));

        var line = Assert.Single(JsonLines(function.Output));
        Assert.Equal(["timestamp", "level", "message"], Keys(line));
        Assert.Equal("ERROR", line.GetProperty("level").GetString());
        Assert.Equal(errorType, line.GetProperty("message").GetProperty("errorType").GetString());
        Assert.StartsWith(messageStart, line.GetProperty("message").GetProperty("errorMessage").GetString());
    }

    /// <summary>
    /// Starts the function, sends it one event, then takes the Runtime API away and waits for the function to exit,
    /// so that its output is complete. Returns the output and the event's request id (what the handler answered, or
    /// what the error was posted for).
    /// </summary>
    private static async Task<(string Output, string RequestId)> RunOnceAsync(string handler, Dictionary<string, string> environment)
    {
        var api = await FakeRuntimeApi.StartAsync();
        var apiDisposed = false;
        try
        {
            await using var function = Functions.StartNode(api, handler, extra: environment);
            var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);
            // logging.* handlers answer their request id, or put it at the end of the error's message.
            var requestId = outcome.IsError
                ? JsonDocument.Parse(outcome.Body).RootElement.GetProperty("errorMessage").GetString()!.Split(' ')[^1]
                : JsonSerializer.Deserialize<string>(outcome.Body)!;

            await api.DisposeAsync();
            apiDisposed = true;
            Assert.Equal(2, await function.WaitForExitAsync(Timeout));
            return (function.Output, requestId);
        }
        finally
        {
            if (!apiDisposed)
            {
                await api.DisposeAsync();
            }
        }
    }

    /// <summary>The function's log lines: everything but the bootstrap's exit line.</summary>
    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith(ExitLine, StringComparison.Ordinal))
            .ToList();

    /// <summary>Each log line parsed: a line that is not JSON fails the test.</summary>
    private static List<JsonElement> JsonLines(string output) =>
        Lines(output).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
