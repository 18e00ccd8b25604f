using System.Text.Json;
using Handshake.Lambda.Logs;
using Handshake.Lambda.LogsApi;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The CloudWatch Logs API's read order: a stream's events (GetLogEvents) and a group's (FilterLogEvents) in timestamp
/// order, ties in the order they were logged or put, whatever order PutLogEvents calls brought them in; paging tokens
/// that hold a place (timestamp, sequence number) rather than an index; the order kept as events arrive
/// (<see cref="TimeOrderedEvents"/>), under the ring's cap, and after a restart.
/// </summary>
public sealed class CloudWatchLogOrderTests
{
    [Fact]
    public async Task Boto3_reads_events_put_out_of_order_in_timestamp_order_and_pages_stay_right_when_events_arrive()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        JsonElement o = await up.RunBoto3Async("logs_order_boto3.py");

        // GetLogEvents: one stream in timestamp order, though its second PutLogEvents call put older events.
        Assert.Equal("""["a1","a2","a3","a4","a5"]""", Compact(o, "headAll"));
        Assert.Equal("""["a1","a2","a3","a4","a5"]""", Compact(o, "tailAll"));
        Assert.Equal("[-5000,-4000,-3000,-2000,-1000]", Compact(o, "timestamps"));
        Assert.Equal("""[["a1","a2"],["a3","a4"],["a5"],[]]""", Compact(o, "forwardPages"));
        // Backward: the newest page first, each page still oldest first.
        Assert.Equal("""[["a4","a5"],["a2","a3"],["a1"],[]]""", Compact(o, "backwardPages"));
        Assert.Equal("""[["a4","a5"],[],true]""", Compact(o, "afterNewest"));
        Assert.Equal("""["a2","a3","a4"]""", Compact(o, "window"));

        // FilterLogEvents: across the streams by timestamp; b3 shares a5's millisecond and was put after it.
        Assert.Equal("""[["a","a1"],["b","b1"],["a","a2"],["a","a3"],["b","b2"],["a","a4"],["a","a5"],["b","b3"]]""", Compact(o, "filterAll"));
        Assert.Equal("""[[["a","a1"],["b","b1"],["a","a2"]],[["a","a3"],["b","b2"],["a","a4"]],[["a","a5"],["b","b3"]]]""", Compact(o, "filterPages"));
        Assert.Equal("""[[["b","b1"],["b","b2"]],[["b","b3"]]]""", Compact(o, "filterStreamB"));
        Assert.Equal("""[[["a","a2"]],[["b","b2"]],[["a","a4"]]]""", Compact(o, "filterPattern"));

        // DescribeLogStreams: the first and last event timestamps are the oldest and newest, not the first and last put,
        // and LastEventTime orders by the newest.
        Assert.Equal("[-5000,-1000,-1000]", Compact(o, "describeA"));
        Assert.Equal("""["c","d"]""", Compact(o, "byLastEventTime"));
        Assert.Equal("[-6000,-100]", Compact(o, "describeC"));

        // Events put between pages: one behind the token's place is not read by the pages after it, one ahead is, and
        // nothing is read twice (an index would have shifted under the event put behind).
        Assert.Equal("""[["x1","x2"],["x ahead","x3"],["x4"],[]]""", Compact(o, "stableForward"));
        Assert.Equal("[]", Compact(o, "stableBackward"));
        Assert.Equal("""[[["x","x1"],["y","y1"],["x","x2"]],[["x","x3"],["y","y2"],["x","x4"]],[["y","y ahead"]]]""", Compact(o, "stableFilter"));
        Assert.Equal("""["x1","x behind","x2","x ahead","x3","x4"]""", Compact(o, "stableAfter"));
    }

    [Fact]
    public void The_time_order_follows_the_ring_under_its_cap_deleted_streams_and_a_cleared_group()
    {
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        FunctionLog log = new("fn", 4, writer: null);
        log.Append(start.AddSeconds(10), "s", "ten");
        log.Append(start.AddSeconds(5).AddTicks(5000), "s", "five");
        log.Append(start.AddSeconds(7), "t", "seven");
        Assert.Equal(["five", "seven", "ten"], Messages(log));
        Assert.Equal(["ten", "five", "seven"], log.Snapshot().Events.Select(e => e.Message)); // `handshake logs`' order
        log.Append(start.AddSeconds(3), "s", "three");
        Assert.Equal(["three", "five", "seven", "ten"], Messages(log));

        // The cap drops the oldest put ("ten"), whatever its timestamp, from both orders. Ties (the same millisecond)
        // keep the order they were put, not their ticks: "five later" has fewer ticks than "five".
        log.Append(start.AddSeconds(5), "t", "five later");
        Assert.Equal(["three", "five", "five later", "seven"], Messages(log));
        Assert.Equal(["five", "seven", "three", "five later"], log.Snapshot().Events.Select(e => e.Message));

        log.RemoveStream("s");
        Assert.Equal(["five later", "seven"], Messages(log));
        log.Append(start.AddSeconds(1), "s", "one");
        Assert.Equal(["one", "five later", "seven"], Messages(log));
        log.Clear();
        Assert.Empty(Messages(log));
        log.Append(start, "s", "again");
        Assert.Equal(["again"], Messages(log));
    }

    [Fact]
    public void The_time_order_matches_a_sort_of_what_the_ring_holds_for_random_appends()
    {
        Random random = new(20261128);
        DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
        for (int round = 0; round < 20; round++)
        {
            int capacity = random.Next(1, 40);
            FunctionLog log = new("fn", capacity, writer: null);
            long clock = 0;
            for (int i = 0; i < 300; i++)
            {
                // Mostly in order (a function's lines), sometimes older (a put), sometimes a removed stream.
                int kind = random.Next(20);
                if (kind == 0)
                {
                    log.RemoveStream("s" + random.Next(3));
                    continue;
                }

                clock += random.Next(0, 3);
                long at = kind < 4 ? clock - random.Next(0, 50) : clock;
                log.Append(start.AddMilliseconds(at).AddTicks(random.Next(10_000)), "s" + random.Next(3), "m" + i);
                List<LogEvent> expected = [.. log.Snapshot().Events.OrderBy(e => e.Timestamp.ToUnixTimeMilliseconds()).ThenBy(e => e.Sequence)];
                Assert.Equal(expected, log.SnapshotByTime().Events);
            }
        }
    }

    [Fact]
    public async Task A_restart_reads_events_put_out_of_order_back_in_timestamp_order()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cworder-db-").FullName;
        try
        {
            DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
            FunctionLogStore store = FunctionLogStore.Open(directory, 4, NullLogger.Instance);
            FunctionLog log = store.For(":/app/order");
            log.Append(start.AddSeconds(9), "a", "nine");
            log.Append(start.AddSeconds(2), "a", "two");
            log.Append(start.AddSeconds(5), "b", "five");
            log.Append(start.AddSeconds(1), "b", "one");
            log.Append(start.AddSeconds(3), "a", "three"); // the cap (4) drops "nine", the oldest put
            Assert.Equal(["one", "two", "three", "five"], Messages(log));
            await store.StopAsync(TimeSpan.FromSeconds(10));

            FunctionLogStore again = FunctionLogStore.Open(directory, 4, NullLogger.Instance);
            Assert.True(again.TryGet(":/app/order", out FunctionLog restored));
            Assert.Equal(["one", "two", "three", "five"], Messages(restored));
            Assert.Equal(["two", "five", "one", "three"], restored.Snapshot().Events.Select(e => e.Message));
            restored.Append(start.AddSeconds(4), "b", "four"); // drops "two", the oldest put
            Assert.Equal(["one", "three", "four", "five"], Messages(restored));
            await again.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bm90LWEtdG9rZW4=")] // "not-a-token", shorter than the prefix
    [InlineData("aGFuZHNoYWtlLWV2ZW50cy8xMg==")] // "handshake-events/12", an earlier version's token
    [InlineData("aGFuZHNoYWtlLWV2ZW50cy1hdC8xMg==")] // "handshake-events-at/12", no sequence number
    [InlineData("aGFuZHNoYWtlLWV2ZW50cy1hdC8vMTI=")] // "handshake-events-at//12", no timestamp
    [InlineData("%%%")]
    public void A_FilterLogEvents_token_that_is_not_a_place_is_refused_as_invalid(string token)
    {
        LogsException e = Assert.Throws<LogsException>(() => PagingToken.ReadPosition("handshake-events-at/", token));
        Assert.Equal("The specified nextToken is invalid.", e.Message);
    }

    [Fact]
    public void A_place_goes_through_a_FilterLogEvents_token_unchanged()
    {
        foreach (LogPosition position in new[] { new LogPosition(1764316800000, 42), new LogPosition(0, 0), LogPosition.Head, LogPosition.End })
        {
            Assert.Equal(position, PagingToken.ReadPosition("p/", PagingToken.Write("p/", position)));
        }
    }

    private static List<string> Messages(FunctionLog log) => [.. log.SnapshotByTime().Events.Select(e => e.Message)];

    private static string Compact(JsonElement observations, string name) => JsonSerializer.Serialize(observations.GetProperty(name));
}
