using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>The functions' logs across a restart of `handshake up` on the same data directory (DATA/lambda/logs.db).</summary>
public sealed partial class CloudWatchLogsApiTests
{
    [Fact]
    public async Task A_functions_log_is_read_the_same_after_up_restarts_on_its_data_directory()
    {
        // What the invocations logged. The shutdown may add lines of its own (bash's "Terminated" as its runtime gets
        // SIGTERM), which these patterns leave out.
        string[][] reads =
        [
            ["filter-log-events", "--log-group-name", "/aws/lambda/bash", "--filter-pattern", "RequestId"],
            ["filter-log-events", "--log-group-name", "/aws/lambda/bash", "--filter-pattern", "REPORT"],
            ["filter-log-events", "--log-group-name", "/aws/lambda/bash", "--filter-pattern", "handling"],
        ];
        string? project = null;
        try
        {
            Dictionary<string, string> before = [];
            string stream;
            await using (UpProcess up = await UpProcess.StartAsync([]))
            {
                Dictionary<string, string> environment = Repository.AwsEnvironment(new Uri(up.Endpoint));
                for (int i = 0; i < 2; i++)
                {
                    var invoked = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", up.Endpoint, "--function-name", "bash",
                        "--payload", "{}", Path.Combine(up.Directory, "out.json")], environment);
                    Assert.True(invoked.ExitCode == 0, invoked.Stderr);
                }

                stream = await ReadAllAsync(up, reads, before);
                project = await up.StopAsync();
            }

            Assert.True(File.Exists(Path.Combine(project, ".handshake", "lambda", "logs.db")));
            await using (UpProcess up = await UpProcess.StartAsync([], project))
            {
                project = null; // this UpProcess deletes the directory
                Dictionary<string, string> after = [];
                Assert.Equal(stream, await ReadAllAsync(up, reads, after));
                // The invocations' events the same, field by field: stream, timestamp, message and event id (the
                // event's position in the log, which goes on from where it was).
                foreach (string[] read in reads)
                {
                    string name = string.Join(" ", read);
                    Assert.Equal(before[name], after[name]);
                }

                string[] messages = EventMessages(before["filter-log-events --log-group-name /aws/lambda/bash --filter-pattern RequestId"]);
                Assert.Equal(2, messages.Count(m => m.StartsWith("START RequestId: ", StringComparison.Ordinal)));
                Assert.Equal(2, messages.Count(m => m.StartsWith("END RequestId: ", StringComparison.Ordinal)));
                Assert.Equal(2, messages.Count(m => m.StartsWith("REPORT RequestId: ", StringComparison.Ordinal)));
                Assert.Equal(2, EventMessages(before["filter-log-events --log-group-name /aws/lambda/bash --filter-pattern handling"]).Length);

                // The group keeps its creation time; the whole stream, as GetLogEvents and `handshake logs` give it,
                // starts with what was read before.
                Assert.Equal(CreationTime(before["describe-log-groups"]), CreationTime(after["describe-log-groups"]));
                JsonElement[] beforeEvents = [.. JsonDocument.Parse(before["get-log-events"]).RootElement.GetProperty("events").EnumerateArray()];
                JsonElement[] afterEvents = [.. JsonDocument.Parse(after["get-log-events"]).RootElement.GetProperty("events").EnumerateArray()];
                Assert.Equal(beforeEvents.Select(e => e.GetRawText()), afterEvents.Take(beforeEvents.Length).Select(e => e.GetRawText()));
                Assert.StartsWith(before["handshake logs"], after["handshake logs"]);

                // A new invocation after the restart: the log goes on, its events numbered after the kept ones.
                var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "bash", "--payload", "{}", "--endpoint", up.Endpoint]);
                Assert.True(invoked.ExitCode == 0, invoked.Stderr);
                var filtered = await AwsCli.RunAsync(["logs", "filter-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash",
                    "--filter-pattern", "REPORT"], Repository.AwsEnvironment(new Uri(up.Endpoint)));
                Assert.True(filtered.ExitCode == 0, filtered.Stderr);
                string[] ids = [.. JsonDocument.Parse(filtered.Stdout).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetString()!)];
                Assert.Equal(3, ids.Length);
                Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
                Assert.Equal(3, ids.Distinct().Count());
            }
        }
        finally
        {
            if (project is not null)
            {
                Directory.Delete(project, recursive: true);
            }
        }
    }

    private static string[] EventMessages(string answer) =>
        [.. JsonDocument.Parse(answer).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];

    private static long CreationTime(string groups) =>
        Assert.Single(JsonDocument.Parse(groups).RootElement.GetProperty("logGroups").EnumerateArray()).GetProperty("creationTime").GetInt64();

    /// <summary>
    /// Each read of <paramref name="reads"/> with the AWS CLI, the log groups, the stream's events from GetLogEvents and
    /// `handshake logs`' output, into <paramref name="answers"/>. Returns the function's one log stream.
    /// </summary>
    private static async Task<string> ReadAllAsync(UpProcess up, string[][] reads, Dictionary<string, string> answers)
    {
        // The reads one after another in one CLI process (AwsLogsCli.BatchAsync), then the stream's events.
        string[][] commands = [["describe-log-groups"], ["describe-log-streams", "--log-group-name", "/aws/lambda/bash"], .. reads];
        string[] read = await AwsLogsCli.BatchAsync(up.Endpoint, commands);
        for (int i = 0; i < commands.Length; i++)
        {
            answers[string.Join(" ", commands[i])] = read[i];
        }

        string stream = Assert.Single(JsonDocument.Parse(answers["describe-log-streams --log-group-name /aws/lambda/bash"]).RootElement
            .GetProperty("logStreams").EnumerateArray()).GetProperty("logStreamName").GetString()!;
        answers["get-log-events"] = await up.AwsLogsAsync("get-log-events", "--log-group-name", "/aws/lambda/bash", "--log-stream-name", stream, "--start-from-head");
        var logs = await Repository.RunAsync(UpProcess.Executable, ["logs", "bash", "--endpoint", up.Endpoint]);
        Assert.True(logs.ExitCode == 0, logs.Stderr);
        Assert.Equal(2, logs.Stdout.Split('\n').Count(l => l.Contains(" REPORT RequestId: ", StringComparison.Ordinal)));
        answers["handshake logs"] = logs.Stdout;
        return stream;
    }
}
