using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// LoggingConfig.LogGroup takes effect as on Lambda: the function's lines go to the group it names (made at the first
/// line, as Lambda makes it), which several functions may share, in streams named YYYY/MM/DD/NAME[VERSION]ID; the runtime
/// is told the group and stream; `handshake logs NAME` shows the function's own streams of it. Read with the AWS CLI
/// (`aws logs`) as the oracle, from bash custom runtimes in real child processes.
/// </summary>
public sealed class LogGroupRoutingTests
{
    private const string Shared = "/app/shared";

    [Fact]
    public async Task Functions_log_into_the_group_their_LoggingConfig_names_which_they_may_share()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("fna", logging: new FunctionLogging("Text", null, null, Shared));
        server.Test.AddBash("fnb", logging: new FunctionLogging("JSON", "INFO", "INFO", Shared));
        server.Test.AddBash("fnc", logging: FunctionLogging.Default);

        JsonElement a = TestHost.Json(await server.Test.InvokeAsync("fna", """{"environment":1}"""));
        JsonElement b = TestHost.Json(await server.Test.InvokeAsync("fnb", """{"environment":1}"""));
        JsonElement c = TestHost.Json(await server.Test.InvokeAsync("fnc", """{"environment":1}"""));

        // The runtime is told where its lines go, and the stream's name says whose they are.
        Assert.Equal(Shared, a.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        Assert.Equal(Shared, b.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        Assert.Equal("/aws/lambda/fnc", c.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        string streamA = a.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString()!;
        string streamB = b.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString()!;
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/fna\[\$LATEST\][0-9a-f]{32}$", streamA);
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/fnb\[\$LATEST\][0-9a-f]{32}$", streamB);
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", c.GetProperty("AWS_LAMBDA_LOG_STREAM_NAME").GetString()!);

        string[] outputs = await AwsLogsCli.BatchAsync(server,
            ["describe-log-groups"],
            ["describe-log-streams", "--log-group-name", Shared],
            ["filter-log-events", "--log-group-name", Shared]);

        // The shared group exists (made by the first line, as Lambda makes it); fna and fnb have no group of their own.
        string[] groups = [.. JsonDocument.Parse(outputs[0]).RootElement.GetProperty("logGroups").EnumerateArray().Select(g => g.GetProperty("logGroupName").GetString()!)];
        Assert.Equal([Shared, "/aws/lambda/fnc"], groups);
        string[] streams = [.. JsonDocument.Parse(outputs[1]).RootElement.GetProperty("logStreams").EnumerateArray().Select(s => s.GetProperty("logStreamName").GetString()!)];
        Assert.Equal(new[] { streamA, streamB }.Order(StringComparer.Ordinal), streams);

        // Both functions' lines, each in its own stream: fna's text START line, fnb's JSON platform.start event.
        JsonElement[] events = [.. JsonDocument.Parse(outputs[2]).RootElement.GetProperty("events").EnumerateArray()];
        Assert.Contains(events, e => e.GetProperty("logStreamName").GetString() == streamA && e.GetProperty("message").GetString()!.StartsWith("START RequestId: ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.GetProperty("logStreamName").GetString() == streamB && e.GetProperty("message").GetString()!.Contains("\"type\":\"platform.start\"", StringComparison.Ordinal));

        var missing = await AwsLogsCli.RunAsync(server, "get-log-events", "--log-group-name", "/aws/lambda/fna", "--log-stream-name", streamA);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ResourceNotFoundException", missing.Stderr);

        // `handshake logs fna` reads the function's own streams of the shared group, and only those.
        using HttpClient http = server.Client();
        using JsonDocument route = JsonDocument.Parse(await http.GetStringAsync("/_handshake/logs/fna"));
        string[] routeStreams = [.. route.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("logStreamName").GetString()!).Distinct()];
        Assert.Equal([streamA], routeStreams);
        Assert.Contains(route.RootElement.GetProperty("events").EnumerateArray(), e => Regex.IsMatch(e.GetProperty("message").GetString()!, "^REPORT RequestId: "));
        Assert.Equal(events.Length, route.RootElement.GetProperty("nextSequence").GetInt64());
    }

    [Fact]
    public async Task A_changed_LogGroup_takes_effect_with_the_next_environment()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("fn", logging: new FunctionLogging("Text", null, null, Shared));
        JsonElement before = TestHost.Json(await server.Test.InvokeAsync("fn", """{"environment":1}"""));

        server.Test.Host.UpdateFunction("fn", d => d with { Logging = FunctionLogging.Default });
        JsonElement after = TestHost.Json(await server.Test.InvokeAsync("fn", """{"environment":1}"""));

        Assert.Equal(Shared, before.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        Assert.Equal("/aws/lambda/fn", after.GetProperty("AWS_LAMBDA_LOG_GROUP_NAME").GetString());
        List<string> own = await server.Test.LogMessagesAsync("fn");
        Assert.Single(own, m => m.StartsWith("START RequestId: ", StringComparison.Ordinal));
        string[] outputs = await AwsLogsCli.BatchAsync(server, ["filter-log-events", "--log-group-name", Shared]);
        Assert.Single(JsonDocument.Parse(outputs[0]).RootElement.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("message").GetString()!.StartsWith("START RequestId: ", StringComparison.Ordinal));
    }
}
