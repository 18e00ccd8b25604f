using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Logs;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A log group's retention enforced on the events it holds (LogsApi/LogRetention.cs): an event older than now less the
/// retention is not read again (GetLogEvents, FilterLogEvents, DescribeLogGroups' storedBytes, `handshake logs`) and is
/// deleted from logs.db, for events put with PutLogEvents and for a function's own lines. The AWS CLI is the client (a
/// run of commands with nothing between them in one process: AwsLogsCli.BatchAsync); time is moved with the host's
/// clock where a function's lines must age. Counts and contents are asserted, never times.
/// </summary>
public sealed class CloudWatchLogRetentionTests
{
    private const long Day = 86_400_000L;
    private const long Hour = 3_600_000L;

    [Fact]
    public async Task Events_older_than_the_retention_are_not_read_a_lower_one_expires_more_and_deleting_it_keeps_the_rest()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string At(long offset) => (now + offset).ToString(CultureInfo.InvariantCulture);

        // One batch per day (a batch may span 24 hours at most); no retention yet, so all are kept.
        await AssertReadAsync(up, ["ten days", "four days", "two hours", "one hour"],
            ["create-log-group", "--log-group-name", "/app/aging"],
            ["create-log-stream", "--log-group-name", "/app/aging", "--log-stream-name", "s"],
            ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--log-events", $"timestamp={At(-10 * Day)},message=ten days"],
            ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--log-events", $"timestamp={At(-4 * Day)},message=four days"],
            ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s",
                "--log-events", $"timestamp={At(-2 * Hour)},message=two hours", $"timestamp={At(-Hour)},message=one hour"]);

        // Events inside the retention stay.
        await AssertReadAsync(up, ["ten days", "four days", "two hours", "one hour"], ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "14"]);

        // Lowered: what is older than the new retention goes, at once, from every read.
        await AssertReadAsync(up, ["four days", "two hours", "one hour"], ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "7"]);
        await AssertReadAsync(up, ["four days", "two hours", "one hour"], ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "5"]);
        await AssertReadAsync(up, ["two hours", "one hour"], ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "3"]);

        // Raised again, the expired events do not come back.
        await AssertReadAsync(up, ["two hours", "one hour"], ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "30"]);

        // Deleted: what remains is kept, and an event as old as the expired ones is kept again.
        await AssertReadAsync(up, ["two hours", "one hour"],
            ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "1"],
            ["delete-retention-policy", "--log-group-name", "/app/aging"]);
        await AssertReadAsync(up, ["four days again", "two hours", "one hour"],
            ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--log-events", $"timestamp={At(-4 * Day)},message=four days again"]);
    }

    [Fact]
    public async Task Expired_events_are_deleted_from_logs_db_and_do_not_come_back_after_a_restart_of_up()
    {
        string? project = null;
        try
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            string At(long offset) => (now + offset).ToString(CultureInfo.InvariantCulture);
            await using (UpProcess up = await UpProcess.StartAsync([]))
            {
                string[] answers = await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["create-log-group", "--log-group-name", "/app/aging"],
                    ["create-log-stream", "--log-group-name", "/app/aging", "--log-stream-name", "s"],
                    ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--log-events", $"timestamp={At(-3 * Day)},message=old"],
                    ["put-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--log-events", $"timestamp={At(-Hour)},message=recent"],
                    ["put-retention-policy", "--log-group-name", "/app/aging", "--retention-in-days", "1"],
                    ["get-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--start-from-head"]);
                Assert.Equal(["recent"], AwsLogsCli.Messages(answers[^1]));
                project = await up.StopAsync();
            }

            // The expired row is gone from the file, not only from what is read.
            Assert.Equal(["recent"], SqliteColumn.Read<string>(Path.Combine(project, ".handshake", "lambda", LogDatabase.FileName),
                "SELECT message FROM log_events WHERE function = ':/app/aging' ORDER BY sequence;"));

            await using (UpProcess up = await UpProcess.StartAsync([], project))
            {
                project = null; // this UpProcess deletes the directory

                // Without the retention nothing would hide it: it is not there.
                string[] answers = await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["delete-retention-policy", "--log-group-name", "/app/aging"],
                    ["get-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--start-from-head"],
                    ["filter-log-events", "--log-group-name", "/app/aging"]);
                Assert.Equal(["recent"], AwsLogsCli.Messages(answers[1]));
                Assert.Equal(["recent"], AwsLogsCli.Messages(answers[2]));
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

    [Fact]
    public async Task A_functions_own_lines_expire_with_its_groups_retention_in_every_read_in_logs_db_and_at_the_next_start()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwretention-").FullName;
        try
        {
            JumpClock clock = new();
            // Idle for longer than the clock jumps: the one environment stays warm, so no shutdown of it logs a line
            // between two reads.
            FunctionHostOptions options = new() { Clock = clock, DataDirectory = directory, IdleTimeout = TimeSpan.FromDays(30) };
            string marker;
            string[] firstIds;
            string secondId;
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                marker = server.Test.Marker;
                server.Test.AddBash("aging", timeout: 10);
                firstIds = [await InvokeAsync(server, "aging"), await InvokeAsync(server, "aging")];

                // A one-day retention: the lines just logged are inside it, and stay.
                string[] answers = await AwsLogsCli.BatchAsync(server,
                    ["put-retention-policy", "--log-group-name", "/aws/lambda/aging", "--retention-in-days", "1"],
                    ["filter-log-events", "--log-group-name", "/aws/lambda/aging", "--filter-pattern", "REPORT"]);
                Assert.Equal(2, AwsLogsCli.Messages(answers[1]).Length);

                // Two days on (the next invocation's lines are stamped then), the first two invocations' START, END and
                // REPORT have expired: gone from every read, with no retention change to trigger it. `handshake logs`
                // (the /_handshake/logs route) reads first, so that it is its own read that leaves them out.
                clock.Offset = TimeSpan.FromDays(2);
                secondId = await InvokeAsync(server, "aging");
                var logs = await Repository.RunAsync(UpProcess.Executable, ["logs", "aging", "--endpoint", server.Endpoint.ToString().TrimEnd('/')]);
                Assert.True(logs.ExitCode == 0, logs.Stderr);
                Assert.Single(logs.Stdout.Split('\n'), l => l.Contains("REPORT RequestId: " + secondId, StringComparison.Ordinal));
                Assert.DoesNotContain(firstIds, id => logs.Stdout.Contains(id, StringComparison.Ordinal));

                answers = await AwsLogsCli.BatchAsync(server,
                    ["filter-log-events", "--log-group-name", "/aws/lambda/aging", "--filter-pattern", "REPORT"],
                    ["filter-log-events", "--log-group-name", "/aws/lambda/aging"],
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/aging"]);
                string[] reports = AwsLogsCli.Messages(answers[0]);
                Assert.Contains(secondId, Assert.Single(reports));
                string[] all = AwsLogsCli.Messages(answers[1]);
                Assert.Equal(["START", "END", "REPORT"], all.Select(Kind).Where(k => k != "output"));
                Assert.DoesNotContain(all, m => firstIds.Any(id => m.Contains(id, StringComparison.Ordinal)));

                // The environment's one stream: GetLogEvents reads the same lines.
                string stream = Assert.Single(JsonDocument.Parse(answers[2])
                    .RootElement.GetProperty("logStreams").EnumerateArray()).GetProperty("logStreamName").GetString()!;
                answers = await AwsLogsCli.BatchAsync(server,
                    ["get-log-events", "--log-group-name", "/aws/lambda/aging", "--log-stream-name", stream, "--start-from-head"],
                    ["describe-log-groups", "--log-group-name-prefix", "/aws/lambda/aging"]);
                Assert.Equal(all, AwsLogsCli.Messages(answers[0]));

                // storedBytes counts what remains (each message's UTF-8 bytes and 26, as CloudWatch counts an event).
                JsonElement group = Assert.Single(JsonDocument.Parse(answers[1])
                    .RootElement.GetProperty("logGroups").EnumerateArray());
                Assert.Equal(all.Sum(m => Encoding.UTF8.GetByteCount(m) + 26), group.GetProperty("storedBytes").GetInt64());
            }

            // Deleted from logs.db, not only hidden.
            List<string> kept = SqliteColumn.Read<string>(Path.Combine(directory, LogDatabase.FileName), "SELECT message FROM log_events WHERE function = 'aging';");
            Assert.DoesNotContain(kept, m => firstIds.Any(id => m.Contains(id, StringComparison.Ordinal)));
            Assert.Single(kept, m => m.StartsWith("REPORT RequestId: " + secondId, StringComparison.Ordinal));

            // Two more days pass while no host runs: the next one drops what expired meanwhile at its start, with no read.
            clock.Offset = TimeSpan.FromDays(4);
            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                FunctionLog log = server.Test.Host.Logs.For("aging");
                await Eventually.WaitUntilAsync(() => log.Snapshot().Events.Count == 0, "the start's sweep expires the restored lines");
            }

            Assert.Empty(SqliteColumn.Read<string>(Path.Combine(directory, LogDatabase.FileName), "SELECT message FROM log_events WHERE function = 'aging';"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Expiry_takes_the_oldest_by_timestamp_from_the_ring_and_the_time_order_and_the_log_goes_on()
    {
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        FunctionLog log = new("fn", 4, writer: null);
        log.Append(start.AddHours(3), "s", "three");
        log.Append(start.AddHours(1), "t", "one"); // put out of order: the oldest by timestamp, not the first logged
        log.Append(start.AddHours(2), "s", "two");

        // Nothing before the cutoff: nothing goes.
        Assert.Equal(0, log.Expire(start.AddHours(1)));
        Assert.Equal(2, log.Expire(start.AddHours(2).AddMilliseconds(1)));
        Assert.Equal(["three"], log.Snapshot().Events.Select(e => e.Message));
        Assert.Equal(["three"], log.SnapshotByTime().Events.Select(e => e.Message));
        Assert.Equal(["three"], log.Read(0, 10).Select(e => e.Message));
        Assert.False(log.HasEvents("t"));

        // The ring's cap goes on over the gaps: the expired events' slots are reused, "five" drops the oldest logged
        // ("three") and "eight" the next ("four").
        foreach (string message in new[] { "four", "five", "six", "seven" })
        {
            log.Append(start.AddHours(4), "s", message);
        }

        Assert.Equal(["four", "five", "six", "seven"], log.SnapshotByTime().Events.Select(e => e.Message));
        log.Append(start.AddHours(5), "s", "eight");
        Assert.Equal(["five", "six", "seven", "eight"], log.SnapshotByTime().Events.Select(e => e.Message));
        Assert.Equal(8, log.NextSequence);
        Assert.Equal(start.AddHours(3), log.FirstTimestamp); // the group keeps its creation time
    }

    [Fact]
    public void An_expirys_rows_go_from_logs_db_and_a_late_expired_event_is_not_written()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwretention-db-").FullName;
        try
        {
            DateTimeOffset old = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
            DateTimeOffset recent = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
            DateTimeOffset cutoff = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
            using (LogDatabase database = new(directory))
            {
                database.Write([new LogWriter.Change("f", new LogEvent(0, old, "s", "old")), new LogWriter.Change("f", new LogEvent(1, recent, "s", "recent")),
                    new LogWriter.Change("g", new LogEvent(0, old, "s", "other function"))], 100);

                // The rows below 3 stamped before the cutoff go; an old event numbered 2 that reaches the writer
                // afterwards was appended before the expiry (and expired with it in memory), so it is not written; one
                // numbered 3 came after (a retention deleted meanwhile). Another function's rows are untouched.
                database.Write([new LogWriter.Change("f", null, DeleteBefore: 3, ExpiredBefore: cutoff.UtcTicks), new LogWriter.Change("f", new LogEvent(2, old, "s", "late")),
                    new LogWriter.Change("f", new LogEvent(3, old, "s", "after"))], 100);
            }

            string file = Path.Combine(directory, LogDatabase.FileName);
            Assert.Equal(["recent", "after"], SqliteColumn.Read<string>(file, "SELECT message FROM log_events WHERE function = 'f' ORDER BY sequence;"));
            Assert.Equal(["other function"], SqliteColumn.Read<string>(file, "SELECT message FROM log_events WHERE function = 'g';"));
            Assert.Equal(["f", "g"], SqliteColumn.Read<string>(file, "SELECT function FROM log_groups ORDER BY function;")); // the groups stay
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// After the <paramref name="changes"/> (`aws logs` commands, which must succeed), get-log-events (from the head)
    /// and filter-log-events read <paramref name="expected"/>, and storedBytes counts exactly them: the changes and the
    /// reads in one batch (<see cref="AwsLogsCli.BatchAsync(string, string[][])"/>), one after another.
    /// </summary>
    private static async Task AssertReadAsync(UpProcess up, string[] expected, params string[][] changes)
    {
        string[] answers = await AwsLogsCli.BatchAsync(up.Endpoint,
        [
            .. changes,
            ["get-log-events", "--log-group-name", "/app/aging", "--log-stream-name", "s", "--start-from-head"],
            ["filter-log-events", "--log-group-name", "/app/aging"],
            ["describe-log-groups", "--log-group-name-prefix", "/app/aging"],
        ]);
        Assert.Equal(expected, AwsLogsCli.Messages(answers[^3]));
        Assert.Equal(expected, AwsLogsCli.Messages(answers[^2]));
        JsonElement group = Assert.Single(JsonDocument.Parse(answers[^1])
            .RootElement.GetProperty("logGroups").EnumerateArray());
        Assert.Equal(expected.Sum(m => Encoding.UTF8.GetByteCount(m) + 26), group.GetProperty("storedBytes").GetInt64());
    }

    private static string Kind(string message) =>
        message.StartsWith("START RequestId: ", StringComparison.Ordinal) ? "START"
        : message.StartsWith("END RequestId: ", StringComparison.Ordinal) ? "END"
        : message.StartsWith("REPORT RequestId: ", StringComparison.Ordinal) ? "REPORT"
        : "output";

    /// <summary>An invocation that must succeed; its request id (the one its START, END and REPORT lines name).</summary>
    private static async Task<string> InvokeAsync(LambdaServer server, string function)
    {
        string requestId = Guid.NewGuid().ToString();
        InvocationResult result = await server.Test.Host.InvokeAsync(function, new Invocation(requestId, "{}"u8.ToArray())).WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
        return requestId;
    }
}
