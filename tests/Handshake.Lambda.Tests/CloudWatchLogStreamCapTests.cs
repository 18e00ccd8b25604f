using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;
using Handshake.Lambda.LogsApi;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A log stream lives until it is deleted (DeleteLogStream, DeleteLogGroup), also when the host's cap on a group's
/// events (LogEventsPerFunction, small here) pushes all its events out: the stream is kept as one the retention emptied
/// is (FunctionLog's former stream events, logs.db's expired_log_streams), described with its creationTime and its
/// first and last event timestamps as they were. A function environment's stream, known to the host only by its events,
/// is the case that matters: events put into another stream of its group push its lines out, and the AWS CLI reads it
/// before and after, across restarts, and deletes it. Counts, contents and the answers' own values are asserted, never times.
/// </summary>
public sealed class CloudWatchLogStreamCapTests
{
    /// <summary>The group's cap: a few invocations' lines, and one PutLogEvents batch of this many pushes them all out.</summary>
    private const int Cap = 20;

    [Fact]
    public async Task An_environments_stream_outlives_the_events_the_cap_pushed_out_as_it_was_across_restarts_until_DeleteLogStream()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwcap-").FullName;
        try
        {
            // Idle for long: the environment stays warm (no reap, no line of its own) while the test reads.
            FunctionHostOptions options = new() { DataDirectory = directory, LogEventsPerFunction = Cap, IdleTimeout = TimeSpan.FromDays(1) };
            string marker;
            string stream;
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                marker = server.Test.Marker;
                server.Test.AddBash("capped", timeout: 10);
                await InvokeAsync(server, "capped");
                await InvokeAsync(server, "capped");
                JsonElement before = AwsLogsCli.SingleStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped"));
                stream = before.GetProperty("logStreamName").GetString()!;
                Assert.True(before.TryGetProperty("firstEventTimestamp", out _), before.GetRawText());
                Assert.Equal(6, AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream)).Count(AwsLogsCli.IsLambdaLine));

                // A batch as large as the cap, put into another stream of the group, pushes every line of the environment's out.
                await PushOutAsync(server, "/aws/lambda/capped", "pusher");
                Assert.Equal(Cap, AwsLogsCli.Messages(await AwsLogsCli.Async(server, "filter-log-events", "--log-group-name", "/aws/lambda/capped")).Count(m => m.StartsWith("pushed ", StringComparison.Ordinal)));
                Assert.DoesNotContain(AwsLogsCli.Messages(await AwsLogsCli.Async(server, "filter-log-events", "--log-group-name", "/aws/lambda/capped")), AwsLogsCli.IsLambdaLine);

                // The stream is there, empty, described as before the cap took its events (storedBytes 0, as always).
                await AssertEmptyStreamExistsAsync(server, "/aws/lambda/capped", stream);
                Assert.Equal(before.GetRawText(), DescribedStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped"), stream).GetRawText());
                Assert.Equal(before.GetRawText(), DescribedStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped",
                    "--order-by", "LastEventTime", "--descending"), stream).GetRawText());
                Assert.Equal(0, before.GetProperty("storedBytes").GetInt64());
            }

            // The environment's shutdown may have logged a line into the stream as the host stopped (bash's "Terminated"):
            // the next host pushes that out too, with no environment running, so nothing more is logged.
            string described;
            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                await PushOutAsync(server, "/aws/lambda/capped", "pusher");
                await AssertEmptyStreamExistsAsync(server, "/aws/lambda/capped", stream);
                described = DescribedStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped"), stream).GetRawText();
            }

            // logs.db: only the pushed events are left, and the stream is kept with its times.
            string file = Path.Combine(directory, LogDatabase.FileName);
            Assert.All(SqliteColumn.Read<string>(file, "SELECT message FROM log_events WHERE function = 'capped';"),
                message => Assert.StartsWith("pushed ", message, StringComparison.Ordinal));
            Assert.Contains(stream, SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'capped';"));

            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                // After a restart: the same stream, empty, described as it was, and there for every check.
                await AssertEmptyStreamExistsAsync(server, "/aws/lambda/capped", stream);
                Assert.Equal(described, DescribedStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped"), stream).GetRawText());
                JsonElement was = JsonDocument.Parse(described).RootElement;

                // PutLogEvents writes into it: the new event is its last, its creation and first event times stay.
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await AwsLogsCli.Async(server, "put-log-events", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream,
                    "--log-events", $"timestamp={now.ToString(CultureInfo.InvariantCulture)},message=after the cap");
                JsonElement put = DescribedStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped"), stream);
                Assert.Equal(was.GetProperty("creationTime").GetInt64(), put.GetProperty("creationTime").GetInt64());
                Assert.Equal(was.GetProperty("firstEventTimestamp").GetInt64(), put.GetProperty("firstEventTimestamp").GetInt64());
                Assert.Equal(now, put.GetProperty("lastEventTimestamp").GetInt64());
                Assert.Equal(["after the cap"], AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream)));

                // DeleteLogStream removes it: gone from the description and from every check.
                await AwsLogsCli.Async(server, "delete-log-stream", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream);
                Assert.Equal(["pusher"], StreamNames(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped")));
                await AwsLogsCli.AssertStreamMissingAsync(server, "GetLogEvents", "get-log-events", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream);
                await AwsLogsCli.AssertStreamMissingAsync(server, "DeleteLogStream", "delete-log-stream", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream);
                await AwsLogsCli.AssertStreamMissingAsync(server, "PutLogEvents", "put-log-events", "--log-group-name", "/aws/lambda/capped", "--log-stream-name", stream,
                    "--log-events", $"timestamp={now.ToString(CultureInfo.InvariantCulture)},message=late");
            }

            Assert.DoesNotContain(stream, SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'capped';"));
            await using (LambdaServer server = await LambdaServer.StartAsync(options, marker: marker))
            {
                // Not back after a restart either.
                Assert.Equal(["pusher"], StreamNames(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/capped")));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DeleteLogGroup_removes_a_stream_the_cap_emptied_in_memory_and_in_logs_db()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwcap-").FullName;
        try
        {
            FunctionHostOptions options = new() { DataDirectory = directory, LogEventsPerFunction = Cap, IdleTimeout = TimeSpan.FromDays(1) };
            string stream;
            await using (LambdaServer server = await LambdaServer.StartAsync(options))
            {
                server.Test.AddBash("regroup", timeout: 10);
                await InvokeAsync(server, "regroup");
                stream = AwsLogsCli.SingleStream(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", "/aws/lambda/regroup")).GetProperty("logStreamName").GetString()!;
                await PushOutAsync(server, "/aws/lambda/regroup", "pusher");
                await AssertEmptyStreamExistsAsync(server, "/aws/lambda/regroup", stream);
                await server.Test.Host.LogsSettledAsync("regroup").WaitAsync(TestHost.Wait);
                // Let the writer commit the prune (and the stream it keeps) before the group goes: the deletion must remove it.
                string file = Path.Combine(directory, LogDatabase.FileName);
                await WaitUntilAsync(() => SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'regroup';").Contains(stream));

                await AwsLogsCli.Async(server, "delete-log-group", "--log-group-name", "/aws/lambda/regroup");
                Assert.Empty(JsonDocument.Parse(await AwsLogsCli.Async(server, "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/regroup"))
                    .RootElement.GetProperty("logGroups").EnumerateArray());
                Assert.False(server.Test.Host.Logs.For("regroup").HasStream(stream));
            }

            // The environment's shutdown may have made the group again with a line of its own (its stream then has that
            // event), but the stream the cap emptied is not kept in logs.db, and no pushed event is left.
            string db = Path.Combine(directory, LogDatabase.FileName);
            Assert.Empty(SqliteColumn.Read<string>(db, "SELECT log_stream FROM expired_log_streams WHERE function = 'regroup';"));
            Assert.DoesNotContain(SqliteColumn.Read<string>(db, "SELECT message FROM log_events WHERE function = 'regroup';"),
                message => message.StartsWith("pushed ", StringComparison.Ordinal) || AwsLogsCli.IsLambdaLine(message));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_cap_keeps_each_stream_it_empties_with_the_oldest_and_newest_timestamps_it_pushed_out_until_the_stream_or_the_group_is_deleted()
    {
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        FunctionLog log = new("fn", 3, writer: null);
        log.Append(start.AddHours(2), "s", "two");
        log.Append(start.AddHours(1), "s", "one"); // put with an older timestamp: the cap still drops it second
        log.Append(start.AddHours(3), "t", "three");
        Assert.Empty(log.SnapshotStreams().FormerEvents); // nothing dropped yet

        log.Append(start.AddHours(4), "u", "four"); // drops "two"
        Assert.True(log.HasEvents("s"));
        log.Append(start.AddHours(5), "u", "five"); // drops "one": "s" has no event left
        Assert.False(log.HasEvents("s"));
        Assert.True(log.HasStream("s"));
        Assert.False(log.HasStream("v"));
        (List<LogEvent> events, Dictionary<string, FormerStreamEvents> former) = log.SnapshotStreams();
        Assert.Equal(new FormerStreamEvents(start.AddHours(1), start.AddHours(2)), Assert.Single(former).Value);
        Assert.Equal([
            new LogStreamSummary("s", start.AddHours(1), start.AddHours(1), start.AddHours(2)),
            new LogStreamSummary("t", start.AddHours(3), start.AddHours(3), start.AddHours(3)),
            new LogStreamSummary("u", start.AddHours(4), start.AddHours(4), start.AddHours(5))],
            LogGroups.Streams(events, former, new()));

        // A stream that lost only its oldest event to the cap keeps that event's time as its first.
        log.Append(start.AddHours(6), "t", "six"); // drops "three", t's first
        log.Append(start.AddHours(7), "u", "seven"); // drops "four", u's first
        (events, former) = log.SnapshotStreams();
        Assert.Equal([
            new LogStreamSummary("s", start.AddHours(1), start.AddHours(1), start.AddHours(2)),
            new LogStreamSummary("t", start.AddHours(3), start.AddHours(3), start.AddHours(6)),
            new LogStreamSummary("u", start.AddHours(4), start.AddHours(4), start.AddHours(7))],
            LogGroups.Streams(events, former, new()));

        // Expiry and the cap keep into the same record: the widest times of both.
        log.Expire(start.AddHours(6).AddMilliseconds(1)); // "six" expires
        Assert.Equal(new FormerStreamEvents(start.AddHours(3), start.AddHours(6)), log.SnapshotStreams().FormerEvents["t"]);

        log.RemoveStream("s");
        Assert.False(log.HasStream("s"));
        Assert.True(log.HasStream("t"));
        log.Clear();
        Assert.False(log.HasStream("t"));
        Assert.Empty(log.SnapshotStreams().FormerEvents);
    }

    [Fact]
    public void A_stream_deleted_and_made_again_is_kept_again_when_the_cap_empties_it()
    {
        // The log skips the lookup for the stream whose times it kept last (the same name string): a deletion must not
        // leave that shortcut pointing at the deleted stream's times.
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        string stream = "s";
        FunctionLog log = new("fn", 1, writer: null);
        log.Append(start, stream, "one");
        log.Append(start.AddHours(1), stream, "two"); // drops "one": "s" is kept last
        log.RemoveStream(stream);
        Assert.False(log.HasStream(stream));
        log.Append(start.AddHours(2), stream, "three"); // made again
        log.Append(start.AddHours(3), "t", "four"); // drops "three"
        Assert.False(log.HasEvents(stream));
        Assert.Equal(new FormerStreamEvents(start.AddHours(2), start.AddHours(2)), log.SnapshotStreams().FormerEvents[stream]);

        log.Append(start.AddHours(4), "t", "five"); // drops "four": "t" is kept last
        log.Clear();
        log.Append(start.AddHours(5), "t", "six");
        log.Append(start.AddHours(6), stream, "seven"); // drops "six"
        Assert.Equal(new FormerStreamEvents(start.AddHours(5), start.AddHours(5)), Assert.Single(log.SnapshotStreams().FormerEvents, pair => pair.Key == "t").Value);
        Assert.True(log.HasStream("t"));
    }

    [Fact]
    public void Logs_db_keeps_the_streams_its_prune_empties_widens_them_and_forgets_them_with_a_deletion()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwcap-db-").FullName;
        try
        {
            DateTimeOffset at = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
            string file = Path.Combine(directory, LogDatabase.FileName);
            using (LogDatabase database = new(directory))
            {
                // Cap 2: "a" (two events, the older timestamp put second) and "b" are pruned by the last two events.
                database.Write([
                    Event(0, at.AddHours(2), "a"), Event(1, at.AddHours(1), "a"), Event(2, at.AddHours(3), "b"),
                    Event(3, at.AddHours(4), "c"), Event(4, at.AddHours(5), "c")], 2);
                Assert.Equal(["a", "b"], SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams WHERE function = 'f' ORDER BY log_stream;"));
                Assert.Equal([3L, 4L], SqliteColumn.Read<long>(file, "SELECT sequence FROM log_events WHERE function = 'f' ORDER BY sequence;"));

                // A later prune of "c" and "a" again: "a"'s row is widened (a newer last event), never narrowed.
                database.Write([Event(5, at.AddHours(6), "a"), Event(6, at.AddHours(7), "b"), Event(7, at.AddHours(8), "b")], 2);
                database.Write([new LogWriter.Change("f", null, DeleteBefore: 8, Stream: "b")], 2); // DeleteLogStream
            }

            using (LogDatabase reopened = new(directory))
            {
                var (function, _, events, former) = Assert.Single(reopened.Load(2));
                Assert.Equal("f", function);
                Assert.Empty(events);
                Assert.Equal([("a", new FormerStreamEvents(at.AddHours(1), at.AddHours(6))), ("c", new FormerStreamEvents(at.AddHours(4), at.AddHours(5)))],
                    Sorted(former));

                reopened.Write([new LogWriter.Change("f", null, DeleteBefore: 8)], 2); // DeleteLogGroup
            }

            Assert.Empty(SqliteColumn.Read<string>(file, "SELECT log_stream FROM expired_log_streams;"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_lower_cap_at_start_keeps_the_streams_of_the_events_it_leaves_behind()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwcap-db-").FullName;
        try
        {
            DateTimeOffset at = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
            using (LogDatabase database = new(directory))
            {
                // Written under a cap of 10, with a gap (an event the writer dropped) at 3.
                database.Write([Event(0, at, "old"), Event(1, at.AddHours(1), "old"), Event(2, at.AddHours(2), "mixed"),
                    Event(4, at.AddHours(3), "mixed"), Event(5, at.AddHours(4), "new")], 10);
            }

            // Read with a cap of 3: 0 and 1 are beyond the file's three newest rows, and 2, one of them, lies outside a
            // ring of 3 that ends at 5. All three count as dropped by the cap: their streams keep their times.
            FunctionLogStore store = FunctionLogStore.Open(directory, 3, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            try
            {
                Assert.True(store.TryGet("f", out FunctionLog log));
                (List<LogEvent> events, Dictionary<string, FormerStreamEvents> former) = log.SnapshotStreams();
                Assert.Equal([4L, 5L], events.Select(e => e.Sequence));
                Assert.Equal([("mixed", new FormerStreamEvents(at.AddHours(2), at.AddHours(2))), ("old", new FormerStreamEvents(at, at.AddHours(1)))],
                    Sorted(former));
                Assert.True(log.HasStream("old"));
                Assert.Equal(6, log.NextSequence);
            }
            finally
            {
                await store.StopAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<(string, FormerStreamEvents)> Sorted(Dictionary<string, FormerStreamEvents> former) =>
        [.. former.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value))];

    private static LogWriter.Change Event(long sequence, DateTimeOffset timestamp, string stream) =>
        new("f", new LogEvent(sequence, timestamp, stream, stream + sequence.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Creates <paramref name="pusher"/> (once) and puts <see cref="Cap"/> events into it, stamped now: every older event of the group goes.</summary>
    private static async Task PushOutAsync(LambdaServer server, string group, string pusher)
    {
        if (!StreamNames(await AwsLogsCli.Async(server, "describe-log-streams", "--log-group-name", group)).Contains(pusher))
        {
            await AwsLogsCli.Async(server, "create-log-stream", "--log-group-name", group, "--log-stream-name", pusher);
        }

        string now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await AwsLogsCli.Async(server, ["put-log-events", "--log-group-name", group, "--log-stream-name", pusher, "--log-events",
            .. Enumerable.Range(0, Cap).Select(i => $"timestamp={now},message=pushed {i.ToString(CultureInfo.InvariantCulture)}")]);
    }

    /// <summary>
    /// The checks find the stream: CreateLogStream refuses it as existing, and GetLogEvents reads it, empty, from either end.
    /// </summary>
    private static async Task AssertEmptyStreamExistsAsync(LambdaServer server, string group, string stream)
    {
        var create = await AwsLogsCli.RunAsync(server, "create-log-stream", "--log-group-name", group, "--log-stream-name", stream);
        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("An error occurred (ResourceAlreadyExistsException) when calling the CreateLogStream operation: The specified log stream already exists", create.Stderr);
        Assert.Empty(AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", group, "--log-stream-name", stream, "--start-from-head")));
        Assert.Empty(AwsLogsCli.Messages(await AwsLogsCli.Async(server, "get-log-events", "--log-group-name", group, "--log-stream-name", stream)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using CancellationTokenSource timeout = new(TestHost.Wait);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private static JsonElement DescribedStream(string answer, string stream) =>
        Assert.Single(JsonDocument.Parse(answer).RootElement.GetProperty("logStreams").EnumerateArray(),
            s => s.GetProperty("logStreamName").GetString() == stream).Clone();

    private static string[] StreamNames(string answer) =>
        [.. JsonDocument.Parse(answer).RootElement.GetProperty("logStreams").EnumerateArray().Select(s => s.GetProperty("logStreamName").GetString()!)];

    private static async Task InvokeAsync(LambdaServer server, string function)
    {
        InvocationResult result = await server.Test.Host.InvokeAsync(function, new Invocation(Guid.NewGuid().ToString(), "{}"u8.ToArray())).WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
    }
}
