using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The events' write side of the CloudWatch Logs API on `handshake up` (CreateLogStream, PutLogEvents,
/// DeleteLogStream), with the official clients as oracles: boto3 (tests/clients/logs_write_boto3.py, every answer
/// audited against botocore's model) and the AWS CLI v1. What is put is read back through the read side and
/// `handshake logs`, and survives a restart of `up` on its data directory, as the functions' own lines do.
/// </summary>
public sealed class CloudWatchLogWriteTests
{
    [Fact]
    public async Task Boto3_creates_streams_puts_events_and_deletes_streams_as_CloudWatch_does()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        JsonElement o = await up.RunBoto3Async("logs_write_boto3.py", "bash");

        // CreateLogStream: {}; the empty stream is described with exactly the members CloudWatch gives an empty stream.
        Assert.Equal("{}", Compact(o.GetProperty("create")));
        JsonElement empty = o.GetProperty("emptyStream");
        Assert.Equal(["arn", "creationTime", "logStreamName", "storedBytes"], empty.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("arn:aws:logs:us-east-1:000000000000:log-group:/app/writes:log-stream:s1", empty.GetProperty("arn").GetString());
        Assert.Empty(o.GetProperty("emptyEvents").EnumerateArray());
        AssertError(o, "createDuplicate", "ResourceAlreadyExistsException", "The specified log stream already exists");
        AssertError(o, "createMissingGroup", "ResourceNotFoundException", "The specified log group does not exist.");
        AssertError(o, "createColon", "InvalidParameterException",
            "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*");
        AssertError(o, "createStar", "InvalidParameterException",
            "1 validation error detected: Value 'a*b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*");
        AssertError(o, "createLong", "InvalidParameterException", "Invalid LogGroup or LogStream, both must have length less than or equal to 512.");

        // PutLogEvents round trip: the sequence token ignored, nextSequenceToken (56 digits) still answered.
        Assert.Matches("^[0-9]{56}$", o.GetProperty("put").GetProperty("nextSequenceToken").GetString());
        Assert.False(o.GetProperty("put").TryGetProperty("rejectedLogEventsInfo", out _));
        Assert.Matches("^[0-9]{56}$", o.GetProperty("putWithToken").GetProperty("nextSequenceToken").GetString());
        Assert.Equal(["one", "two 🙀", "three", "four"], o.GetProperty("messages").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("""[["s1","two \uD83D\uDE40"],["s1","three"]]""", Compact(o.GetProperty("filtered")));
        JsonElement written = o.GetProperty("streamAfterPut");
        long[] times = [.. o.GetProperty("putTimestamps").EnumerateArray().Select(t => t.GetInt64())];
        Assert.Equal(empty.GetProperty("creationTime").GetInt64(), written.GetProperty("creationTime").GetInt64()); // CreateLogStream's time
        Assert.Equal(times[0], written.GetProperty("firstEventTimestamp").GetInt64());
        Assert.Equal(times[1], written.GetProperty("lastEventTimestamp").GetInt64());

        // The batch's constraints, in CloudWatch's words.
        AssertError(o, "wrongOrder", "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.");
        AssertError(o, "tooLarge", "InvalidParameterException", "Upload too large: 1048577 bytes exceeds limit of 1048576");
        Assert.True(o.GetProperty("atLimit").GetBoolean()); // exactly 1,048,576 bytes (messages and 26 each) is accepted
        AssertError(o, "tooMany", "InvalidParameterException",
            "1 validation error detected: Value '[...]' at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000");
        AssertError(o, "empty", "InvalidParameterException",
            "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1");
        AssertError(o, "emptyMessage", "InvalidParameterException",
            "1 validation error detected: Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1");
        AssertError(o, "negativeTimestamp", "InvalidParameterException",
            "1 validation error detected: Value '-1' at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0");
        AssertError(o, "span", "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
        AssertError(o, "missingStream", "ResourceNotFoundException", "The specified log stream does not exist.");
        AssertError(o, "missingGroup", "ResourceNotFoundException", "The specified log group does not exist.");

        // Too old, too new, expired by the group's retention: accepted, reported by index, not kept.
        Assert.Equal("""{"tooNewLogEventStartIndex":3,"tooOldLogEventEndIndex":2}""", Compact(o.GetProperty("rejected").GetProperty("rejectedLogEventsInfo")));
        Assert.Equal("""{"tooOldLogEventEndIndex":1}""", Compact(o.GetProperty("spanOfAccepted").GetProperty("rejectedLogEventsInfo")));
        Assert.Equal("""{"tooNewLogEventStartIndex":0}""", Compact(o.GetProperty("allRejected").GetProperty("rejectedLogEventsInfo")));
        Assert.Equal("""{"expiredLogEventEndIndex":1}""", Compact(o.GetProperty("expired").GetProperty("rejectedLogEventsInfo")));
        // Read in timestamp order: "kept 2" (2 hours old) was put after "kept" (1 hour old).
        Assert.Equal(["kept 2", "kept", "kept 3"], o.GetProperty("agesMessages").EnumerateArray().Select(m => m.GetString()));

        // 10,000 events in one batch, every one kept.
        Assert.False(o.GetProperty("many").GetBoolean());
        Assert.Equal("""[10000,"m0","m9999"]""", Compact(o.GetProperty("manyMessages")));

        // A function's group: a created stream and the environment's own stream take events, beside its lines.
        Assert.Equal("{}", Compact(o.GetProperty("functionCreate")));
        AssertError(o, "functionCreateEnvironmentStream", "ResourceAlreadyExistsException", "The specified log stream already exists");
        Assert.True(o.GetProperty("functionPut").GetBoolean());
        Assert.True(o.GetProperty("functionPutEnvironment").GetBoolean());
        string environmentStream = o.GetProperty("environmentStream").GetString()!;
        Assert.Equal([environmentStream, "custom"], o.GetProperty("functionStreams").EnumerateArray().Select(s => s.GetString()));
        string[] functionMessages = [.. o.GetProperty("functionFiltered").EnumerateArray().Select(m => m.GetString()!)];
        Assert.Equal(["from put", "into the environment's stream"], functionMessages[^2..]);

        // DeleteLogStream: the stream and its events go; not found after; made again, it is empty.
        Assert.Equal("{}", Compact(o.GetProperty("delete")));
        Assert.Empty(o.GetProperty("streamsAfterDelete").EnumerateArray());
        AssertError(o, "eventsAfterDelete", "ResourceNotFoundException", "The specified log stream does not exist.");
        Assert.Empty(o.GetProperty("filteredAfterDelete").EnumerateArray());
        AssertError(o, "putAfterDelete", "ResourceNotFoundException", "The specified log stream does not exist.");
        AssertError(o, "deleteAgain", "ResourceNotFoundException", "The specified log stream does not exist.");
        AssertError(o, "deleteMissingGroup", "ResourceNotFoundException", "The specified log group does not exist.");
        Assert.Equal("{}", Compact(o.GetProperty("recreate")));
        Assert.Empty(o.GetProperty("recreatedMessages").EnumerateArray());

        // A function environment's stream deleted: its events go, and the warm environment's next invocation writes
        // its lines to that stream again (only the new ones); the created stream is untouched.
        Assert.Equal("{}", Compact(o.GetProperty("deleteEnvironmentStream")));
        Assert.False(o.GetProperty("environmentAfterDelete").GetBoolean());
        string[] again = [.. o.GetProperty("environmentAgain").EnumerateArray().Select(m => m.GetString()!)];
        Assert.Equal("START", again[0]);
        Assert.Equal(1, again.Count(m => m == "START"));
        Assert.Equal("REPORT", again[^1]);
        Assert.Equal(["from put"], o.GetProperty("customKept").EnumerateArray().Select(m => m.GetString()));

        // DeleteLogGroup took the created streams with it.
        Assert.Empty(o.GetProperty("streamsOfRecreatedGroup").EnumerateArray());
        Assert.Empty(o.GetProperty("filteredOfRecreatedGroup").EnumerateArray());

        // `handshake logs` reads the function's group: what was put into it is there with the function's own lines.
        var logs = await Repository.RunAsync(UpProcess.Executable, ["logs", "bash", "--endpoint", up.Endpoint]);
        Assert.True(logs.ExitCode == 0, logs.Stderr);
        Assert.Contains("from put", logs.Stdout);
        Assert.Contains("REPORT RequestId: ", logs.Stdout);
    }

    [Fact]
    public async Task The_AWS_CLI_creates_a_stream_puts_reads_and_deletes_and_prints_CloudWatchs_errors()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string At(long offset) => (now + offset).ToString(CultureInfo.InvariantCulture);

        Assert.Equal("", await up.AwsLogsAsync("create-log-group", "--log-group-name", "/app/cli"));
        Assert.Equal("", await up.AwsLogsAsync("create-log-stream", "--log-group-name", "/app/cli", "--log-stream-name", "web-1"));
        JsonElement put = JsonDocument.Parse(await up.AwsLogsAsync("put-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "web-1",
            "--log-events", $"timestamp={At(-1000)},message=first", $"timestamp={At(0)},message=second")).RootElement;
        Assert.Matches("^[0-9]{56}$", put.GetProperty("nextSequenceToken").GetString());
        JsonElement events = JsonDocument.Parse(await up.AwsLogsAsync("get-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "web-1", "--start-from-head"))
            .RootElement.GetProperty("events");
        Assert.Equal(["first", "second"], events.EnumerateArray().Select(e => e.GetProperty("message").GetString()));
        Assert.Equal(now, events[1].GetProperty("timestamp").GetInt64());

        // Rejected events: printed in the answer, not kept.
        JsonElement rejected = JsonDocument.Parse(await up.AwsLogsAsync("put-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "web-1",
            "--log-events", $"timestamp={At(-15 * 86_400_000L)},message=old", $"timestamp={At(1)},message=third")).RootElement;
        Assert.Equal(1, rejected.GetProperty("rejectedLogEventsInfo").GetProperty("tooOldLogEventEndIndex").GetInt32());

        Assert.Equal("An error occurred (ResourceAlreadyExistsException) when calling the CreateLogStream operation: The specified log stream already exists",
            await up.AwsLogsFailsAsync("create-log-stream", "--log-group-name", "/app/cli", "--log-stream-name", "web-1"));
        Assert.Equal("An error occurred (ResourceNotFoundException) when calling the CreateLogStream operation: The specified log group does not exist.",
            await up.AwsLogsFailsAsync("create-log-stream", "--log-group-name", "/app/none", "--log-stream-name", "web-1"));
        Assert.Equal("An error occurred (InvalidParameterException) when calling the PutLogEvents operation: Log events in a single PutLogEvents request must be in chronological order.",
            await up.AwsLogsFailsAsync("put-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "web-1",
                "--log-events", $"timestamp={At(0)},message=b", $"timestamp={At(-1)},message=a"));
        Assert.Equal("An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log stream does not exist.",
            await up.AwsLogsFailsAsync("put-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "web-2", "--log-events", $"timestamp={At(0)},message=m"));

        JsonElement filtered = JsonDocument.Parse(await up.AwsLogsAsync("filter-log-events", "--log-group-name", "/app/cli")).RootElement.GetProperty("events");
        Assert.Equal(["first", "second", "third"], filtered.EnumerateArray().Select(e => e.GetProperty("message").GetString()));

        Assert.Equal("", await up.AwsLogsAsync("delete-log-stream", "--log-group-name", "/app/cli", "--log-stream-name", "web-1"));
        Assert.Equal("An error occurred (ResourceNotFoundException) when calling the DeleteLogStream operation: The specified log stream does not exist.",
            await up.AwsLogsFailsAsync("delete-log-stream", "--log-group-name", "/app/cli", "--log-stream-name", "web-1"));
        Assert.Empty(JsonDocument.Parse(await up.AwsLogsAsync("describe-log-streams", "--log-group-name", "/app/cli")).RootElement.GetProperty("logStreams").EnumerateArray());
    }

    [Fact]
    public async Task Created_streams_and_put_events_survive_a_restart_of_up_and_deleted_ones_stay_deleted()
    {
        string? project = null;
        try
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            string At(long offset) => (now + offset).ToString(CultureInfo.InvariantCulture);
            long emptyCreated;
            await using (UpProcess up = await UpProcess.StartAsync([]))
            {

                var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "bash", "--payload", "{}", "--endpoint", up.Endpoint]);
                Assert.True(invoked.ExitCode == 0, invoked.Stderr);

                // An empty stream, a stream with events, a stream deleted with its events, and events put into the
                // function's group.
                // (One after another in one process: AwsLogsCli.BatchAsync.)
                string[] answers = await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["create-log-group", "--log-group-name", "/app/kept"],
                    ["create-log-stream", "--log-group-name", "/app/kept", "--log-stream-name", "empty"],
                    ["create-log-stream", "--log-group-name", "/app/kept", "--log-stream-name", "full"],
                    ["create-log-stream", "--log-group-name", "/app/kept", "--log-stream-name", "gone"],
                    ["put-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "full",
                        "--log-events", $"timestamp={At(-2)},message=a", $"timestamp={At(-1)},message=b", $"timestamp={At(0)},message=c"],
                    ["put-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "gone", "--log-events", $"timestamp={At(0)},message=gone"],
                    ["delete-log-stream", "--log-group-name", "/app/kept", "--log-stream-name", "gone"],
                    ["create-log-stream", "--log-group-name", "/aws/lambda/bash", "--log-stream-name", "custom"],
                    ["put-log-events", "--log-group-name", "/aws/lambda/bash", "--log-stream-name", "custom", "--log-events", $"timestamp={At(0)},message=put into bash"],
                    ["describe-log-streams", "--log-group-name", "/app/kept"]);
                emptyCreated = Stream(answers[^1], "empty").GetProperty("creationTime").GetInt64();
                project = await up.StopAsync();
            }

            // What the file holds: the deleted stream's row is gone; a created group's events are keyed apart from any function's.
            Assert.Equal(["a", "b", "c"], SqliteColumn.Read<string>(Path.Combine(project, ".handshake", "lambda", LogDatabase.FileName),
                "SELECT message FROM log_events WHERE function = ':/app/kept' ORDER BY sequence;"));

            await using (UpProcess up = await UpProcess.StartAsync([], project))
            {
                project = null; // this UpProcess deletes the directory

                var read = await AwsLogsCli.RunBatchAsync(up.Endpoint,
                    ["describe-log-streams", "--log-group-name", "/app/kept"],
                    ["get-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "full", "--start-from-head"],
                    ["get-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "gone"],
                    ["get-log-events", "--log-group-name", "/aws/lambda/bash", "--log-stream-name", "custom"]);
                Assert.True(read[0].ExitCode == 0, read[0].Stderr);
                string streams = read[0].Stdout;
                Assert.Equal(["empty", "full"], JsonDocument.Parse(streams).RootElement.GetProperty("logStreams").EnumerateArray()
                    .Select(s => s.GetProperty("logStreamName").GetString()));
                Assert.Equal(emptyCreated, Stream(streams, "empty").GetProperty("creationTime").GetInt64());
                Assert.False(Stream(streams, "empty").TryGetProperty("lastEventTimestamp", out _));
                Assert.True(read[1].ExitCode == 0, read[1].Stderr);
                JsonElement events = JsonDocument.Parse(read[1].Stdout).RootElement.GetProperty("events");
                Assert.Equal(["a", "b", "c"], events.EnumerateArray().Select(e => e.GetProperty("message").GetString()));
                Assert.Equal(now, events[2].GetProperty("timestamp").GetInt64());
                Assert.NotEqual(0, read[2].ExitCode);
                Assert.Contains("The specified log stream does not exist.", read[2].Stderr);

                // Put into the function's group: read back by the API and by `handshake logs`, beside the function's lines.
                Assert.True(read[3].ExitCode == 0, read[3].Stderr);
                Assert.Contains("put into bash", read[3].Stdout);
                var logs = await Repository.RunAsync(UpProcess.Executable, ["logs", "bash", "--endpoint", up.Endpoint]);
                Assert.True(logs.ExitCode == 0, logs.Stderr);
                Assert.Contains("put into bash", logs.Stdout);
                Assert.Contains("REPORT RequestId: ", logs.Stdout);

                // Writing goes on after the restart, numbering after the restored events.
                string[] written = await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["put-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "empty", "--log-events",
                        $"timestamp={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},message=after restart"],
                    ["get-log-events", "--log-group-name", "/app/kept", "--log-stream-name", "empty"]);
                Assert.Contains("after restart", written[1]);
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
    public void A_deleted_streams_rows_go_from_logs_db_and_a_late_event_of_it_is_not_written()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-db-").FullName;
        try
        {
            DateTimeOffset at = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
            using (LogDatabase database = new(directory))
            {
                database.Write([new LogWriter.Change("f", new LogEvent(0, at, "s", "s0")), new LogWriter.Change("f", new LogEvent(1, at, "t", "t1")),
                    new LogWriter.Change("f", new LogEvent(2, at, "s", "s2"))], 100);

                // The stream's rows below 4 go; an event of it numbered 3 that reaches the writer afterwards was
                // appended before the deletion (the log hands events over outside its lock), so it is not written;
                // one numbered 4 is the stream made again. The other stream is untouched.
                database.Write([new LogWriter.Change("f", null, DeleteBefore: 4, Stream: "s"), new LogWriter.Change("f", new LogEvent(3, at, "s", "late")),
                    new LogWriter.Change("f", new LogEvent(4, at, "s", "again"))], 100);
            }

            Assert.Equal(["t1", "again"], SqliteColumn.Read<string>(Path.Combine(directory, LogDatabase.FileName),
                "SELECT message FROM log_events WHERE function = 'f' ORDER BY sequence;"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static JsonElement Stream(string describeOutput, string name) =>
        Assert.Single(JsonDocument.Parse(describeOutput).RootElement.GetProperty("logStreams").EnumerateArray(), s => s.GetProperty("logStreamName").GetString() == name).Clone();

    /// <summary>An answer's JSON as one line, however the client printed it.</summary>
    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static void AssertError(JsonElement observations, string name, string code, string message)
    {
        JsonElement error = observations.GetProperty(name).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
    }
}
