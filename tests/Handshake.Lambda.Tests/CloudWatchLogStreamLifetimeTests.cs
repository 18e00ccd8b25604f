using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;
using Handshake.Lambda.LogsApi;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A log stream lives until it is deleted (DeleteLogStream, DeleteLogGroup), not until its events expire: CloudWatch's
/// retention deletes events and leaves the emptied stream, described with its creationTime and its first and last event
/// timestamps as they were (FunctionLog's expired streams, logs.db's expired_log_streams). A function environment's
/// stream, known to the host only by its events, is the case that matters: the AWS CLI reads it before and after its
/// events expire (the host's clock moved), across restarts, and deletes it (runs of commands with nothing between them in
/// one process: AwsLogsCli.RunBatchAsync). Also logs.db's timestamp index and its migration of a file written before
/// it. Counts, contents and the answers' own values are asserted, never times.
/// </summary>
public sealed class CloudWatchLogStreamLifetimeTests
{
    private const long Day = 86_400_000L;
    private const long Hour = 3_600_000L;

    [Fact]
    public async Task An_environments_stream_outlives_its_expired_events_as_it_was_across_restarts_until_DeleteLogStream()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-").FullName;
        try
        {
            JumpClock clock = new();
            // Idle for longer than the clock jumps: the environment stays warm and logs nothing between two reads.
            FunctionHostOptions options = new() { Clock = clock, DataDirectory = directory, IdleTimeout = TimeSpan.FromDays(30) };
            string marker;
            string stream;
            string described;
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                marker = server.Test.Marker;
                server.Test.AddBash("lifetime", timeout: 10);
                await InvokeAsync(server, "lifetime");
                await InvokeAsync(server, "lifetime");
                string[] answers = await AwsLogsCli.BatchAsync(server,
                    ["put-retention-policy", "--log-group-name", "/aws/lambda/lifetime", "--retention-in-days", "1"],
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"]);

                JsonElement before = AwsLogsCli.SingleStream(answers[1]);
                stream = before.GetProperty("logStreamName").GetString()!;
                Assert.True(before.TryGetProperty("firstEventTimestamp", out _), before.GetRawText());
                Assert.True(before.TryGetProperty("lastEventTimestamp", out _), before.GetRawText());
                described = before.GetRawText();
                Assert.Equal(6, AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream)).Count(AwsLogsCli.IsLambdaLine));

                // Two days on, every line of the stream has expired. Before any read has expired them, and after.
                // (The reads one after another in one process: AwsLogsCli.RunBatchAsync.)
                clock.Offset = TimeSpan.FromDays(2);
                var read = await AwsLogsCli.RunBatchAsync(server.Endpoint.ToString(),
                [
                    .. EmptyStreamChecks("/aws/lambda/lifetime", stream),
                    ["filter-log-events", "--log-group-name", "/aws/lambda/lifetime"],
                    ["describe-log-groups", "--log-group-name-prefix", "/aws/lambda/lifetime"],
                    .. EmptyStreamChecks("/aws/lambda/lifetime", stream),
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"],
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime", "--order-by", "LastEventTime", "--descending"],
                ]);
                AssertEmptyStreamExists(read[0..2]);
                Assert.Empty(AwsLogsCli.Messages(Ok(read[2])));
                Assert.Equal(0, Assert.Single(JsonDocument.Parse(Ok(read[3]))
                    .RootElement.GetProperty("logGroups").EnumerateArray()).GetProperty("storedBytes").GetInt64());
                AssertEmptyStreamExists(read[4..6]);

                // Described as before the expiry: creationTime, firstEventTimestamp, lastEventTimestamp,
                // lastIngestionTime, arn, storedBytes 0.
                Assert.Equal(described, AwsLogsCli.SingleStream(Ok(read[6])).GetRawText());
                Assert.Equal(described, AwsLogsCli.SingleStream(Ok(read[7])).GetRawText());
            }

            // logs.db: the invocations' lines are gone, the stream is kept. The environment's shutdown may have logged a
            // line into the stream as the host stopped (bash's "Terminated"), stamped two days on: the stream's last event then.
            string file = Path.Combine(directory, LogDatabase.FileName);
            Assert.DoesNotContain(SqliteColumn.Read<string>(file, "SELECT message FROM log_events WHERE function = 'lifetime';"), AwsLogsCli.IsLambdaLine);
            Assert.Equal([stream], SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'lifetime';"));
            JsonElement was = JsonDocument.Parse(described).RootElement;
            long last = SqliteColumn.Read<long>(file, "SELECT timestamp FROM log_events WHERE function = 'lifetime';")
                .Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero).ToUnixTimeMilliseconds())
                .Append(was.GetProperty("lastEventTimestamp").GetInt64()).Max();

            // Two more days pass while no host runs (what the shutdown logged expires too).
            clock.Offset = TimeSpan.FromDays(4);
            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                // After a restart: the same stream, empty, with its creation and first event times as they were, and
                // still there for every check.
                var read = await AwsLogsCli.RunBatchAsync(server.Endpoint.ToString(),
                [
                    .. EmptyStreamChecks("/aws/lambda/lifetime", stream),
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"],
                ]);
                AssertEmptyStreamExists(read[0..2]);
                JsonElement restored = AwsLogsCli.SingleStream(Ok(read[2]));
                Assert.Equal(was.GetProperty("creationTime").GetInt64(), restored.GetProperty("creationTime").GetInt64());
                Assert.Equal(was.GetProperty("firstEventTimestamp").GetInt64(), restored.GetProperty("firstEventTimestamp").GetInt64());
                Assert.Equal(last, restored.GetProperty("lastEventTimestamp").GetInt64());
                Assert.Equal(last, restored.GetProperty("lastIngestionTime").GetInt64());
                Assert.Equal(was.GetProperty("arn").GetString(), restored.GetProperty("arn").GetString());
                Assert.Equal(0, restored.GetProperty("storedBytes").GetInt64());

                // PutLogEvents finds it too: the new event is its last, its first event's time stays.
                long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                string[] answers = await AwsLogsCli.BatchAsync(server,
                    ["put-log-events", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream,
                        "--log-events", $"timestamp={now.ToString(CultureInfo.InvariantCulture)},message=after expiry"],
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"],
                    ["get-log-events", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream]);
                JsonElement put = AwsLogsCli.SingleStream(answers[1]);
                Assert.Equal(was.GetProperty("creationTime").GetInt64(), put.GetProperty("creationTime").GetInt64());
                Assert.Equal(was.GetProperty("firstEventTimestamp").GetInt64(), put.GetProperty("firstEventTimestamp").GetInt64());
                Assert.Equal(now, put.GetProperty("lastEventTimestamp").GetInt64());
                Assert.Equal(["after expiry"], AwsLogsCli.Messages(answers[2]));

                // DeleteLogStream removes it: gone from the description and from every check.
                read = await AwsLogsCli.RunBatchAsync(server.Endpoint.ToString(),
                    ["delete-log-stream", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream],
                    ["describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"],
                    ["get-log-events", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream],
                    ["delete-log-stream", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream],
                    ["put-log-events", "--log-group-name", "/aws/lambda/lifetime", "--log-stream-name", stream,
                        "--log-events", $"timestamp={now.ToString(CultureInfo.InvariantCulture)},message=late"]);
                Ok(read[0]);
                Assert.Empty(JsonDocument.Parse(Ok(read[1])).RootElement.GetProperty("logStreams").EnumerateArray());
                AssertStreamMissing(read[2], "GetLogEvents");
                AssertStreamMissing(read[3], "DeleteLogStream");
                AssertStreamMissing(read[4], "PutLogEvents");
            }

            Assert.Empty(SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'lifetime';"));
            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                // Not back after a restart either.
                Assert.Empty(JsonDocument.Parse(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/lifetime"))
                    .RootElement.GetProperty("logStreams").EnumerateArray());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DeleteLogGroup_removes_the_expired_streams_and_the_warm_environments_next_line_makes_its_stream_again_with_only_the_new_events()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-").FullName;
        try
        {
            JumpClock clock = new();
            FunctionHostOptions options = new() { Clock = clock, DataDirectory = directory, IdleTimeout = TimeSpan.FromDays(30) };
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                server.Test.AddBash("regroup", timeout: 10);
                await InvokeAsync(server, "regroup");
                await AwsLogsCli.Async(server, "put-retention-policy", "--log-group-name", "/aws/lambda/regroup", "--retention-in-days", "1");
                clock.Offset = TimeSpan.FromDays(2);
                JsonElement expired = AwsLogsCli.SingleStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/regroup"));
                string stream = expired.GetProperty("logStreamName").GetString()!;
                long expiredLast = expired.GetProperty("lastEventTimestamp").GetInt64();
                Assert.Empty(AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/regroup", "--log-stream-name", stream)));

                await AwsLogsCli.Async(server, "delete-log-group", "--log-group-name", "/aws/lambda/regroup");
                Assert.Empty(JsonDocument.Parse(await AwsLogsCli.Async(server, "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/regroup"))
                    .RootElement.GetProperty("logGroups").EnumerateArray());

                // The same warm environment logs again: the group and the stream of the same name are made again, with
                // only the new invocation's lines and the times they have (not the deleted stream's).
                string requestId = await InvokeAsync(server, "regroup");
                JsonElement again = AwsLogsCli.SingleStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/regroup"));
                Assert.Equal(stream, again.GetProperty("logStreamName").GetString());
                Assert.True(again.GetProperty("firstEventTimestamp").GetInt64() > expiredLast, again.GetRawText());
                Assert.True(again.GetProperty("creationTime").GetInt64() > expiredLast, again.GetRawText());
                string[] lines = AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/regroup", "--log-stream-name", stream));
                Assert.Equal(3, lines.Count(AwsLogsCli.IsLambdaLine));
                Assert.All(lines.Where(AwsLogsCli.IsLambdaLine), line => Assert.Contains(requestId, line, StringComparison.Ordinal));
            }

            // The deleted group's expired stream is not in logs.db (the new lines are).
            string file = Path.Combine(directory, LogDatabase.FileName);
            Assert.Empty(SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'regroup';"));
            Assert.Equal(3, SqliteColumn.Read<string>(file, "SELECT message FROM log_events WHERE function = 'regroup';").Count(AwsLogsCli.IsLambdaLine));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Expiry_keeps_each_stream_with_its_first_and_newest_expired_timestamps_until_the_stream_or_the_group_is_deleted()
    {
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        FunctionLog log = new("fn", 8, writer: null);
        log.Append(start.AddHours(1), "s", "one");
        log.Append(start.AddHours(2), "t", "two");
        log.Append(start.AddHours(3), "s", "three");

        // "t" loses its only event, "s" its first: both keep their first event's timestamp (and so their creation time).
        Assert.Equal(2, log.Expire(start.AddHours(2).AddMilliseconds(1)));
        Assert.False(log.HasEvents("t"));
        Assert.True(log.HasStream("t"));
        Assert.False(log.HasStream("u"));
        (List<LogEvent> events, Dictionary<string, FormerStreamEvents> expired) = log.SnapshotStreams();
        Assert.Equal([
            new LogStreamSummary("s", start.AddHours(1), start.AddHours(1), start.AddHours(3)),
            new LogStreamSummary("t", start.AddHours(2), start.AddHours(2), start.AddHours(2))],
            LogGroups.Streams(events, expired, new()));

        // All gone: "s" is described with its first and last event timestamps still.
        Assert.Equal(1, log.Expire(start.AddHours(4)));
        Assert.Empty(log.Snapshot().Events);
        (events, expired) = log.SnapshotStreams();
        Assert.Equal([
            new LogStreamSummary("s", start.AddHours(1), start.AddHours(1), start.AddHours(3)),
            new LogStreamSummary("t", start.AddHours(2), start.AddHours(2), start.AddHours(2))],
            LogGroups.Streams(events, expired, new()));

        // A created stream keeps its own creation time.
        Assert.Equal(new LogStreamSummary("s", start, start.AddHours(1), start.AddHours(3)),
            LogGroups.Streams(events, expired, new() { ["s"] = start })[0]);

        log.RemoveStream("s");
        Assert.False(log.HasStream("s"));
        Assert.True(log.HasStream("t"));
        log.Clear();
        Assert.False(log.HasStream("t"));
        Assert.Empty(log.SnapshotStreams().FormerEvents);
    }

    [Fact]
    public void Logs_db_keeps_an_expirys_streams_and_forgets_them_with_a_later_deletion_even_one_that_reached_the_writer_first()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-db-").FullName;
        try
        {
            DateTimeOffset old = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
            DateTimeOffset cutoff = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
            FormerStreamEvents times = new(old, old.AddHours(1));
            using (LogDatabase database = new(directory))
            {
                database.Write([
                    new LogWriter.Change("f", new LogEvent(0, old, "s", "s0")), new LogWriter.Change("f", new LogEvent(1, old.AddHours(1), "s", "s1")),
                    new LogWriter.Change("f", new LogEvent(2, old, "t", "t0")), new LogWriter.Change("f", new LogEvent(3, old, "u", "u0")),
                    new LogWriter.Change("g", new LogEvent(0, old, "v", "v0"))], 100);

                // "t" was deleted after the expiry (at the same position) but reached the writer before it: not kept.
                database.Write([
                    new LogWriter.Change("f", null, DeleteBefore: 4, Stream: "t"),
                    new LogWriter.Change("f", null, DeleteBefore: 4, ExpiredBefore: cutoff.UtcTicks,
                        ExpiredStreams: new Dictionary<string, FormerStreamEvents> { ["s"] = times, ["t"] = new(old, old), ["u"] = new(old, old) })], 100);
                database.Write([new LogWriter.Change("f", null, DeleteBefore: 4, Stream: "u")], 100);
                database.Write([new LogWriter.Change("g", null, DeleteBefore: 1, ExpiredBefore: cutoff.UtcTicks,
                    ExpiredStreams: new Dictionary<string, FormerStreamEvents> { ["v"] = new(old, old) })], 100);
                database.Write([new LogWriter.Change("g", null, DeleteBefore: 1)], 100); // DeleteLogGroup
            }

            string file = Path.Combine(directory, LogDatabase.FileName);
            Assert.Empty(SqliteColumn.Read<string>(file, "SELECT message FROM log_events;"));
            Assert.Equal(["f:s"], SqliteColumn.Read<string>(file, "SELECT function || ':' || log_stream FROM expired_log_streams;"));

            using LogDatabase reopened = new(directory);
            var (function, _, events, expired) = Assert.Single(reopened.Load(100));
            Assert.Equal("f", function);
            Assert.Empty(events);
            Assert.Equal(times, Assert.Single(expired, pair => pair.Key == "s").Value);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_old_logs_db_gets_the_timestamp_index_and_the_expiry_deletes_by_it()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-old-").FullName;
        try
        {
            string file = Path.Combine(directory, LogDatabase.FileName);
            DateTimeOffset old = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
            WriteOldLogsDb(file, "f", [(old, "s", "old"), (old.AddDays(7), "s", "recent")]);
            Assert.Empty(SqliteColumn.Read<string>(file, "SELECT name FROM sqlite_master WHERE name IN ('log_events_by_timestamp', 'expired_log_streams');"));

            using (LogDatabase database = new(directory))
            {
                Assert.Equal(["old", "recent"], Assert.Single(database.Load(100)).Events.Select(e => e.Message));
                database.Write([new LogWriter.Change("f", null, DeleteBefore: 2, ExpiredBefore: old.AddDays(1).UtcTicks,
                    ExpiredStreams: new Dictionary<string, FormerStreamEvents> { ["s"] = new(old, old) })], 100);
            }

            Assert.Equal(["expired_log_streams", "log_events_by_timestamp"],
                SqliteColumn.Read<string>(file, "SELECT name FROM sqlite_master WHERE name IN ('log_events_by_timestamp', 'expired_log_streams') ORDER BY name;"));
            Assert.Equal(["recent"], SqliteColumn.Read<string>(file, "SELECT message FROM log_events;"));

            // The expiry's delete is a search of the timestamp index on (function, timestamp), no scan.
            using SqliteConnection connection = new($"Data Source={file};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using SqliteCommand explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + LogDatabase.ExpireEvents;
            explain.Parameters.AddWithValue("$function", "f");
            explain.Parameters.AddWithValue("$cutoff", 0L);
            explain.Parameters.AddWithValue("$before", 0L);
            List<string> plan = [];
            using (SqliteDataReader reader = explain.ExecuteReader())
            {
                while (reader.Read())
                {
                    plan.Add(reader.GetString(3)); // the detail column
                }
            }

            string detail = Assert.Single(plan);
            Assert.Matches(@"^SEARCH log_events USING (COVERING )?INDEX log_events_by_timestamp \(function=\? AND timestamp<\?\)$", detail);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_host_opens_a_logs_db_from_before_the_index_and_its_streams_outlive_their_expiry()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwstreams-old-").FullName;
        try
        {
            // What an earlier host left: a function's group with two streams, one of them only old events.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            WriteOldLogsDb(Path.Combine(directory, LogDatabase.FileName), "legacy",
                [(now.AddDays(-3), "old", "old one"), (now.AddDays(-3).AddHours(1), "old", "old two"), (now.AddDays(-3), "mixed", "old three"), (now.AddHours(-1), "mixed", "recent")]);
            FunctionHostOptions options = new() { DataDirectory = directory };
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                string[] before = [.. JsonDocument.Parse(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/legacy"))
                    .RootElement.GetProperty("logStreams").EnumerateArray().Select(s => s.GetRawText())];
                Assert.Equal(2, before.Length);
                Assert.Equal(4, AwsLogsCli.Messages(await AwsLogsCli.Async(server, "filter-log-events", "--log-group-name", "/aws/lambda/legacy")).Length);

                await AwsLogsCli.Async(server, "put-retention-policy", "--log-group-name", "/aws/lambda/legacy", "--retention-in-days", "1");
                Assert.Equal(["recent"], AwsLogsCli.Messages(await AwsLogsCli.Async(server, "filter-log-events", "--log-group-name", "/aws/lambda/legacy")));
                Assert.Empty(AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/legacy", "--log-stream-name", "old")));

                // Both streams described as they were: "old" with no event left, "mixed" with its first event's times.
                string[] after = [.. JsonDocument.Parse(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/legacy"))
                    .RootElement.GetProperty("logStreams").EnumerateArray().Select(s => s.GetRawText())];
                Assert.Equal(before, after);
            }

            Assert.Equal(["mixed", "old"], SqliteColumn.Read<string>(Path.Combine(directory, LogDatabase.FileName),
                "SELECT log_stream FROM expired_log_streams WHERE function = 'legacy' ORDER BY log_stream;"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A logs.db as hosts wrote it before expired_log_streams and the timestamp index: the schema of then, verbatim.</summary>
    private static void WriteOldLogsDb(string file, string function, (DateTimeOffset Timestamp, string Stream, string Message)[] events)
    {
        using SqliteConnection connection = new($"Data Source={file};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE log_groups(
                function TEXT NOT NULL PRIMARY KEY,
                creation_time INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE log_events(
                function TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                timestamp INTEGER NOT NULL,
                log_stream TEXT NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY(function, sequence)) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO log_groups VALUES ($function, $time);";
        command.Parameters.AddWithValue("$function", function);
        command.Parameters.AddWithValue("$time", events[0].Timestamp.UtcTicks);
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO log_events VALUES ($function, $sequence, $timestamp, $stream, $message);";
        for (int i = 0; i < events.Length; i++)
        {
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$function", function);
            command.Parameters.AddWithValue("$sequence", i);
            command.Parameters.AddWithValue("$timestamp", events[i].Timestamp.UtcTicks);
            command.Parameters.AddWithValue("$stream", events[i].Stream);
            command.Parameters.AddWithValue("$message", events[i].Message);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// The checks that find the stream, for <see cref="AssertEmptyStreamExists"/>: CreateLogStream refuses it as
    /// existing (first, as it expires nothing: its answer must not depend on whether a read or the sweep has expired the
    /// events yet), and GetLogEvents reads it, empty.
    /// </summary>
    private static string[][] EmptyStreamChecks(string group, string stream) =>
    [
        ["create-log-stream", "--log-group-name", group, "--log-stream-name", stream],
        ["get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head"],
    ];

    /// <summary>The stream exists (CreateLogStream refuses it) and holds no event (GetLogEvents reads none).</summary>
    private static void AssertEmptyStreamExists((int ExitCode, string Stdout, string Stderr)[] answers)
    {
        Assert.Equal(2, answers.Length);
        Assert.NotEqual(0, answers[0].ExitCode);
        Assert.Contains("An error occurred (ResourceAlreadyExistsException) when calling the CreateLogStream operation: The specified log stream already exists", answers[0].Stderr);
        Assert.Empty(AwsLogsCli.Messages(Ok(answers[1])));
    }

    /// <summary>A batched command that must have succeeded: its output.</summary>
    private static string Ok((int ExitCode, string Stdout, string Stderr) answer)
    {
        Assert.True(answer.ExitCode == 0, answer.Stderr);
        return answer.Stdout;
    }

    /// <summary>A batched command that must have failed with CloudWatch's ResourceNotFoundException for a log stream.</summary>
    private static void AssertStreamMissing((int ExitCode, string Stdout, string Stderr) answer, string operation)
    {
        Assert.NotEqual(0, answer.ExitCode);
        Assert.Contains($"An error occurred (ResourceNotFoundException) when calling the {operation} operation: The specified log stream does not exist.", answer.Stderr);
    }

    /// <summary>An invocation that must succeed; its request id (the one its START, END and REPORT lines name).</summary>
    private static async Task<string> InvokeAsync(LambdaServer server, string function)
    {
        string requestId = Guid.NewGuid().ToString();
        InvocationResult result = await server.Test.Host.InvokeAsync(function, new Invocation(requestId, "{}"u8.ToArray())).WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
        return requestId;
    }
}
