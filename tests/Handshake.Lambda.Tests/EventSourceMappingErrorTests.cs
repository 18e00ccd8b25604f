using System.Text.Json.Nodes;
using static Handshake.Lambda.Tests.EventSourceMappingRequests;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Event source mappings' error handling, as Lambda's for streams: a failing batch blocks the shard and is retried until
/// it succeeds, its retries or its age run out; bisecting; ReportBatchItemFailures. Each asserted on the batches a real
/// function received.
/// </summary>
public sealed class EventSourceMappingErrorTests
{
    [Fact]
    public async Task A_function_error_retries_the_same_batch_until_it_succeeds()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["Enabled"] = false });
        await server.PutAsync("items", "a", "1");
        await server.PutAsync("items", "b", "2");
        server.Control("recorder", "fail", "2");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        Assert.Equal([["a", "b"], ["a", "b"], ["a", "b"]], await server.WaitForBatchesAsync("recorder", 3));
        await server.PutAsync("items", "c", "3");
        // The next record comes once, after the batch that failed twice: nothing lost, nothing sent again.
        Assert.Equal([["a", "b"], ["a", "b"], ["a", "b"], ["c"]], await server.WaitForBatchesAsync("recorder", 4));
        Assert.Equal("OK", await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r == "OK"));
    }

    [Fact]
    public async Task MaximumRetryAttempts_skips_a_batch_that_keeps_failing()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.Control("recorder", "fail", "always");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["MaximumRetryAttempts"] = 1 });
        await server.PutAsync("items", "doomed", "1");

        // The first attempt and one retry, then the batch is given up.
        Assert.Equal([["doomed"], ["doomed"]], await server.WaitForBatchesAsync("recorder", 2));
        Assert.Equal("PROBLEM: Function call failed", Result(server, uuid));
        File.Delete(Path.Combine(server.ControlDirectory("recorder"), "fail"));
        await server.PutAsync("items", "next", "2");
        Assert.Equal([["doomed"], ["doomed"], ["next"]], await server.WaitForBatchesAsync("recorder", 3));
        Assert.Equal("OK", await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r == "OK"));
    }

    [Fact]
    public async Task MaximumRecordAgeInSeconds_skips_records_too_old_to_retry()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        // Every batch holding "poison" fails, for good; retries are unlimited (-1): only the record's age ends them.
        server.Control("recorder", "poison", "");
        await CreateAsync(server, "recorder", streamArn, new JsonObject { ["MaximumRecordAgeInSeconds"] = 1 });
        await server.PutAsync("items", "poison", "1");
        // One attempt at least; a retry may not come: an attempt that ends more than a second after the write (a cold
        // start on a loaded machine) leaves a record already too old to retry (a fresh-clone CI run waited for two, 30 s).
        await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Count >= 1);
        await server.PutAsync("items", "fresh", "2");

        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Count > 0 && b[^1].Contains("fresh"));
        // Every attempt at the old record came before the new one, which arrived alone: the old one was given up.
        Assert.Equal(["fresh"], batches[^1]);
        Assert.All(batches[..^1], batch => Assert.Equal(["poison"], batch));
    }

    [Fact]
    public async Task BisectBatchOnFunctionError_splits_a_failing_batch_down_to_the_bad_record()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.Control("recorder", "poison", "");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["BisectBatchOnFunctionError"] = true, ["MaximumRetryAttempts"] = 0,
        });
        await server.PutAsync("items", "a", "1");
        await server.PutAsync("items", "poison", "2");
        await server.PutAsync("items", "c", "3");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        // [a, poison, c] fails: [a] succeeds; [poison, c] fails: [poison] fails with no retry left and is skipped; [c].
        Assert.Equal([["a", "poison", "c"], ["a"], ["poison", "c"], ["poison"], ["c"]], await server.WaitForBatchesAsync("recorder", 5));
        await server.PutAsync("items", "d", "4");
        Assert.Equal(["d"], (await server.WaitForBatchesAsync("recorder", 6))[5]);
    }

    [Fact]
    public async Task ReportBatchItemFailures_resumes_from_the_lowest_failed_record()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["FunctionResponseTypes"] = new JsonArray("ReportBatchItemFailures"),
        });
        await server.PutAsync("items", "a", "1");
        await server.PutAsync("items", "b", "2");
        await server.PutAsync("items", "c", "3");
        server.Control("recorder", "report", "b");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        Assert.Equal([["a", "b", "c"], ["b", "c"]], await server.WaitForBatchesAsync("recorder", 2));
        await server.PutAsync("items", "d", "4");
        Assert.Equal([["a", "b", "c"], ["b", "c"], ["d"]], await server.WaitForBatchesAsync("recorder", 3));
    }

    [Fact]
    public async Task ReportBatchItemFailures_retries_a_batch_whose_answer_is_not_json()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.Control("recorder", "garbage", "");
        await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["FunctionResponseTypes"] = new JsonArray("ReportBatchItemFailures"),
        });
        await server.PutAsync("items", "a", "1");

        // An answer that is not JSON fails the whole batch (Lambda's rule): [a] is sent again, not lost.
        Assert.Equal([["a"], ["a"]], (await server.WaitForBatchesAsync("recorder", 2))[..2]);
        File.Delete(Path.Combine(server.ControlDirectory("recorder"), "garbage"));
        await server.PutAsync("items", "b", "2");
        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Count > 0 && b[^1].Contains("b"));
        // a blocked the shard until an answer was JSON again: every batch before b's held a alone, one more than the
        // two that got `not json` at least, and b came alone after it.
        Assert.All(batches[..^1], batch => Assert.Equal(["a"], batch));
        Assert.True(batches.Count >= 3, $"{batches.Count} batches");
        Assert.Equal(["b"], batches[^1]);
    }

    [Fact]
    public async Task Disabling_stops_a_batch_that_is_being_bisected()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.Control("recorder", "hold", "");
        server.Control("recorder", "fail", "always");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["BisectBatchOnFunctionError"] = true,
        });
        await server.PutAsync("items", "a", "1");
        await server.PutAsync("items", "b", "2");
        await server.PutAsync("items", "c", "3");
        await server.PutAsync("items", "d", "4");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        Assert.Equal([["a", "b", "c", "d"]], await server.WaitForBatchesAsync("recorder", 1));

        // Disabled while the batch's invocation is in flight; it then fails, which would split it: the poller stops
        // there instead of sending the halves.
        Assert.Equal("Disabling", (await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = false })).GetProperty("State").GetString());
        File.Delete(Path.Combine(server.ControlDirectory("recorder"), "hold"));
        await StreamServer.WaitUntilAsync(() => State(server, uuid), s => s == "Disabled");
        Assert.Equal([["a", "b", "c", "d"]], server.Batches("recorder"));

        // The position stayed before the batch: enabled again, it is all sent.
        File.Delete(Path.Combine(server.ControlDirectory("recorder"), "fail"));
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        Assert.Equal([["a", "b", "c", "d"], ["a", "b", "c", "d"]], await server.WaitForBatchesAsync("recorder", 2));
    }
}
