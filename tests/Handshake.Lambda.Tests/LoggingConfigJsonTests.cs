using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// LoggingConfig with LogFormat JSON takes effect as on Lambda: the runtime gets AWS_LAMBDA_LOG_FORMAT and
/// AWS_LAMBDA_LOG_LEVEL, the host's own lines become platform events (one JSON object a line), SystemLogLevel drops
/// those below it, ApplicationLogLevel drops the runtime's own lines below it (unlevelled ones are INFO) and keeps the
/// rest as they are, and the tail shows what the log stream gets. Through
/// the bash custom runtime, in real child processes.
/// </summary>
public sealed class LoggingConfigJsonTests
{
    [Fact]
    public async Task Json_gives_the_runtime_its_format_and_level_and_Text_gives_neither()
    {
        await using TestHost test = TestHost.Start();
        // The function's own values of the two names: replaced under JSON, passed on as they are under Text.
        Dictionary<string, string> own = new() { ["AWS_LAMBDA_LOG_FORMAT"] = "Text", ["AWS_LAMBDA_LOG_LEVEL"] = "FATAL" };
        test.AddBash("json", environment: own, logging: new FunctionLogging("JSON", "DEBUG", "INFO", null));
        test.AddBash("jsondefault", logging: new FunctionLogging("JSON", null, null, null));
        test.AddBash("text");
        test.AddBash("textown", environment: own);

        JsonElement json = TestHost.Json(await test.InvokeAsync("json", """{"environment":1}"""));
        Assert.Equal("JSON", json.GetProperty("AWS_LAMBDA_LOG_FORMAT").GetString());
        Assert.Equal("DEBUG", json.GetProperty("AWS_LAMBDA_LOG_LEVEL").GetString());

        JsonElement byDefault = TestHost.Json(await test.InvokeAsync("jsondefault", """{"environment":1}"""));
        Assert.Equal("JSON", byDefault.GetProperty("AWS_LAMBDA_LOG_FORMAT").GetString());
        Assert.Equal("INFO", byDefault.GetProperty("AWS_LAMBDA_LOG_LEVEL").GetString());

        JsonElement text = TestHost.Json(await test.InvokeAsync("text", """{"environment":1}"""));
        Assert.False(text.TryGetProperty("AWS_LAMBDA_LOG_FORMAT", out _));
        Assert.False(text.TryGetProperty("AWS_LAMBDA_LOG_LEVEL", out _));

        JsonElement textOwn = TestHost.Json(await test.InvokeAsync("textown", """{"environment":1}"""));
        Assert.Equal("Text", textOwn.GetProperty("AWS_LAMBDA_LOG_FORMAT").GetString());
        Assert.Equal("FATAL", textOwn.GetProperty("AWS_LAMBDA_LOG_LEVEL").GetString());
    }

    [Fact]
    public async Task At_INFO_a_cold_and_a_warm_invocation_log_initStart_start_and_report_events_and_the_runtimes_lines()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", logging: new FunctionLogging("JSON", "INFO", "INFO", null));

        InvocationResult cold = await InvokeAsync(test, "fn", "cold-1", """{"a":1}""");
        InvocationResult warm = await InvokeAsync(test, "fn", "warm-1", """{"b":2}""");
        List<string> log = await test.LogMessagesAsync("fn");

        // No text line of the host's is left, and a successful invocation's runtimeDone is DEBUG: not written at INFO.
        Assert.DoesNotContain(log, m => m.StartsWith("START ", StringComparison.Ordinal) || m.StartsWith("END ", StringComparison.Ordinal)
            || m.StartsWith("REPORT ", StringComparison.Ordinal) || m.StartsWith("INIT_START", StringComparison.Ordinal));
        Assert.DoesNotContain(log, m => Type(m) == "platform.runtimeDone");

        JsonElement initStart = Record(Assert.Single(log, m => Type(m) == "platform.initStart"));
        Assert.Equal("on-demand", initStart.GetProperty("initializationType").GetString());
        Assert.Equal("init", initStart.GetProperty("phase").GetString());
        Assert.Matches(@"^provided:al2023\.v\d+$", initStart.GetProperty("runtimeVersion").GetString());
        Assert.Matches("^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$", initStart.GetProperty("runtimeVersionArn").GetString());
        Assert.Equal("fn", initStart.GetProperty("functionName").GetString());
        Assert.Equal("$LATEST", initStart.GetProperty("functionVersion").GetString());

        foreach (string id in (string[])["cold-1", "warm-1"])
        {
            JsonElement start = Record(Assert.Single(log, m => Type(m) == "platform.start" && RequestId(m) == id));
            Assert.Equal("$LATEST", start.GetProperty("version").GetString());
            JsonElement report = Record(Assert.Single(log, m => Type(m) == "platform.report" && RequestId(m) == id));
            Assert.Equal("success", report.GetProperty("status").GetString());
            Assert.False(report.TryGetProperty("errorType", out _));
            JsonElement metrics = report.GetProperty("metrics");
            Assert.True(metrics.GetProperty("durationMs").GetDouble() > 0);
            Assert.True(metrics.GetProperty("billedDurationMs").GetInt64() >= 1);
            Assert.Equal(128, metrics.GetProperty("memorySizeMB").GetInt32());
            Assert.True(metrics.GetProperty("maxMemoryUsedMB").GetInt64() >= 0);
            // Only the cold start's report has the init's duration.
            Assert.Equal(id == "cold-1", metrics.TryGetProperty("initDurationMs", out _));

            // The runtime's plain lines, stdout and stderr, are kept as they are.
            Assert.Contains($"handling {id}", log);
            Assert.Contains($"stderr line for {id}", log);
        }

        Assert.Contains(log, m => m.StartsWith("init done in ", StringComparison.Ordinal));
        // Every line that looks like JSON is a whole event with its envelope.
        foreach (string line in log.Where(m => m.StartsWith('{')))
        {
            using JsonDocument e = JsonDocument.Parse(line);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e.RootElement.GetProperty("time").GetString());
            Assert.StartsWith("platform.", e.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Object, e.RootElement.GetProperty("record").ValueKind);
        }

        // The tail is the log stream's lines for the invocation (the cold one's from its init on).
        Assert.Equal(log[log.FindIndex(m => Type(m) == "platform.initStart")..(log.FindIndex(m => Type(m) == "platform.report" && RequestId(m) == "cold-1") + 1)], Tail(cold));
        Assert.Equal(log[log.FindIndex(m => Type(m) == "platform.start" && RequestId(m) == "warm-1")..(log.FindIndex(m => Type(m) == "platform.report" && RequestId(m) == "warm-1") + 1)], Tail(warm));
    }

    [Fact]
    public async Task At_DEBUG_runtimeDone_is_written_with_its_status_and_the_bytes_produced()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", logging: new FunctionLogging("JSON", "INFO", "DEBUG", null));

        InvocationResult result = await InvokeAsync(test, "fn", "debug-1", """{"hello":"world"}""");
        List<string> log = await test.LogMessagesAsync("fn");

        JsonElement done = Record(Assert.Single(log, m => Type(m) == "platform.runtimeDone" && RequestId(m) == "debug-1"));
        Assert.Equal("success", done.GetProperty("status").GetString());
        Assert.Equal(result.Payload.Length, done.GetProperty("metrics").GetProperty("producedBytes").GetInt32());
        Assert.True(done.GetProperty("metrics").GetProperty("durationMs").GetDouble() > 0);
        // In Lambda's order: start, the runtime's lines, runtimeDone, report.
        List<string?> types = [.. Tail(result).Select(Type).Where(t => t is not null)];
        Assert.Equal(new[] { "platform.initStart", "platform.start", "platform.runtimeDone", "platform.report" }, types);
    }

    [Fact]
    public async Task At_WARN_a_success_writes_no_platform_event_and_failures_write_runtimeDone_and_report_in_the_log_and_the_tail()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", logging: new FunctionLogging("JSON", "INFO", "WARN", null));

        InvocationResult ok = await InvokeAsync(test, "fn", "ok-1", """{"a":1}""");
        InvocationResult failed = await InvokeAsync(test, "fn", "fail-1", """{"fail":1}""");
        InvocationResult crashed = await InvokeAsync(test, "fn", "crash-1", """{"crash":1}""");
        List<string> log = await test.LogMessagesAsync("fn");

        Assert.Null(ok.FunctionError);
        Assert.DoesNotContain(log, m => Type(m) is "platform.initStart" or "platform.start");
        Assert.DoesNotContain(log, m => RequestId(m) == "ok-1");
        Assert.Contains("handling ok-1", log);
        // The success's tail has the runtime's lines only.
        Assert.All(Tail(ok), line => Assert.Null(Type(line)));
        Assert.Contains("handling ok-1", Tail(ok));

        // An error the runtime posted: "failure", with its type.
        Assert.Equal("Unhandled", failed.FunctionError);
        JsonElement failedReport = Record(Assert.Single(log, m => Type(m) == "platform.report" && RequestId(m) == "fail-1"));
        Assert.Equal("failure", failedReport.GetProperty("status").GetString());
        Assert.Equal(failed.ErrorType, failedReport.GetProperty("errorType").GetString());
        Assert.Single(log, m => Type(m) == "platform.runtimeDone" && RequestId(m) == "fail-1");

        // The runtime's exit: "error", Runtime.ExitError, as the text REPORT's Status: error.
        Assert.Equal("Unhandled", crashed.FunctionError);
        foreach (string type in (string[])["platform.runtimeDone", "platform.report"])
        {
            JsonElement record = Record(Assert.Single(log, m => Type(m) == type && RequestId(m) == "crash-1"));
            Assert.Equal("error", record.GetProperty("status").GetString());
            Assert.Equal("Runtime.ExitError", record.GetProperty("errorType").GetString());
        }

        List<string> crashTail = Tail(crashed);
        Assert.Equal(new[] { "platform.runtimeDone", "platform.report" }, crashTail.Select(Type).Where(t => t is not null));
        Assert.Contains("crashing now", crashTail);
    }

    [Fact]
    public async Task A_timeout_is_reported_with_status_timeout_and_its_line_is_kept()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", timeout: 3, logging: new FunctionLogging("JSON", "INFO", "WARN", null));

        InvocationResult result = await InvokeAsync(test, "fn", "slow-1", """{"sleep":1}""");
        List<string> log = await test.LogMessagesAsync("fn");

        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        foreach (string type in (string[])["platform.runtimeDone", "platform.report"])
        {
            JsonElement record = Record(Assert.Single(log, m => Type(m) == type && RequestId(m) == "slow-1"));
            Assert.Equal("timeout", record.GetProperty("status").GetString());
        }

        JsonElement metrics = Record(Assert.Single(log, m => Type(m) == "platform.report")).GetProperty("metrics");
        Assert.True(metrics.GetProperty("durationMs").GetDouble() >= 3000);
        Assert.Contains(log, m => m.EndsWith("slow-1 Task timed out after 3.00 seconds", StringComparison.Ordinal));
        Assert.Contains(Tail(result), m => m.EndsWith("slow-1 Task timed out after 3.00 seconds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_init_is_logged_as_initReport_events_for_both_phases()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", environment: new() { ["INIT_MODE"] = "init-error" }, logging: new FunctionLogging("JSON", "INFO", "WARN", null));

        InvocationResult result = await InvokeAsync(test, "fn", "init-1", "{}");
        List<string> log = await test.LogMessagesAsync("fn");

        Assert.Equal("Unhandled", result.FunctionError);
        List<JsonElement> reports = [.. log.Where(m => Type(m) == "platform.initReport").Select(Record)];
        Assert.Equal(new[] { "init", "invoke" }, reports.Select(r => r.GetProperty("phase").GetString()));
        Assert.All(reports, r =>
        {
            Assert.Equal("on-demand", r.GetProperty("initializationType").GetString());
            Assert.Equal("error", r.GetProperty("status").GetString());
            Assert.Equal("Runtime.InitFailedOnPurpose", r.GetProperty("errorType").GetString());
            Assert.True(r.GetProperty("metrics").GetProperty("durationMs").GetDouble() >= 0);
        });
        JsonElement report = Record(Assert.Single(log, m => Type(m) == "platform.report" && RequestId(m) == "init-1"));
        Assert.Equal("error", report.GetProperty("status").GetString());
        // The tail covers both attempts, as the text one does.
        Assert.Equal(new[] { "platform.initReport", "platform.initReport", "platform.runtimeDone", "platform.report" }, Tail(result).Select(Type).Where(t => t is not null));
    }

    /// <summary>Lines of every kind the filter tells apart, each naming the level Lambda gives it.</summary>
    private static readonly string[] LeveledLines =
    [
        "plain text: info",
        """{"level":"TRACE","msg":"upper trace: trace"}""",
        """{"level":"debug","msg":"lower debug: debug"}""",
        """{"level":"info","msg":"lower info: info"}""",
        """{"msg":"no level: info"}""",
        """{"level":"LOUD","msg":"unknown level: info"}""",
        """{"level":3,"msg":"number level: info"}""",
        """{"nested":{"level":"ERROR"},"msg":"nested level only: info"}""",
        """{"nested":{"level":"ERROR"},"level":"debug","msg":"nested error, top debug: debug"}""",
        """{ broken json: info""",
        """{"level":"Warn","msg":"mixed warn: warn"}""",
        """{"level":"Warning","msg":".NET warning: warn"}""",
        """{"timestamp":"2026-11-28T22:00:00Z","level":"error","msg":"error after timestamp: error"}""",
        """{"level":"Critical","msg":".NET critical: fatal"}""",
        """{"level":"FATAL","msg":"fatal: fatal"}""",
    ];

    [Theory]
    [InlineData("TRACE", "trace")]
    [InlineData("DEBUG", "debug")]
    [InlineData(null, "info")]
    [InlineData("WARN", "warn")]
    [InlineData("ERROR", "error")]
    [InlineData("FATAL", "fatal")]
    public async Task ApplicationLogLevel_drops_the_functions_lines_below_it_with_unlevelled_lines_at_INFO(string? level, string lowestKept)
    {
        string[] order = ["trace", "debug", "info", "warn", "error", "fatal"];
        await using TestHost test = TestHost.Start();
        test.AddBash("fn", logging: new FunctionLogging("JSON", level, "INFO", null));

        InvocationResult result = await InvokeAsync(test, "fn", "print-1", JsonSerializer.Serialize(new { print = LeveledLines }));
        List<string> log = await test.LogMessagesAsync("fn");

        // Each line's expected level is the word after its last ": ".
        string[] kept = [.. LeveledLines.Where(l => Array.IndexOf(order, l[(l.LastIndexOf(": ", StringComparison.Ordinal) + 2)..].TrimEnd('"', '}')) >= Array.IndexOf(order, lowestKept))];
        Assert.Equal(kept, log.Where(LeveledLines.Contains));
        Assert.Equal(kept, Tail(result).Where(LeveledLines.Contains));
        // The host's own lines are not application logs: the platform events stay whatever ApplicationLogLevel says.
        Assert.Contains(log, m => Type(m) == "platform.start" && RequestId(m) == "print-1");
        Assert.Contains(log, m => Type(m) == "platform.report" && RequestId(m) == "print-1");
    }

    [Fact]
    public async Task Under_Text_no_line_is_dropped()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("fn");

        await InvokeAsync(test, "fn", "print-1", JsonSerializer.Serialize(new { print = LeveledLines }));

        Assert.Equal(LeveledLines, (await test.LogMessagesAsync("fn")).Where(LeveledLines.Contains));
    }

    private static Task<InvocationResult> InvokeAsync(TestHost test, string function, string requestId, string payload) =>
        test.Host.InvokeAsync(function, new Invocation(requestId, Encoding.UTF8.GetBytes(payload)) { TailLog = true }).WaitAsync(TestHost.Wait);

    private static List<string> Tail(InvocationResult result) =>
        [.. Encoding.UTF8.GetString(Convert.FromBase64String(result.LogResult!)).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>A platform event's type; null for any other line (the runtime's own).</summary>
    private static string? Type(string line)
    {
        if (!line.StartsWith("{\"time\"", StringComparison.Ordinal))
        {
            return null;
        }

        using JsonDocument e = JsonDocument.Parse(line);
        return e.RootElement.GetProperty("type").GetString();
    }

    private static JsonElement Record(string line)
    {
        using JsonDocument e = JsonDocument.Parse(line);
        return e.RootElement.GetProperty("record").Clone();
    }

    private static string? RequestId(string line) =>
        Type(line) is not null && Record(line).TryGetProperty("requestId", out JsonElement id) ? id.GetString() : null;
}
