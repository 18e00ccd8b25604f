using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using static Handshake.Lambda.Tests.EventSourceMappingRequests;

namespace Handshake.Lambda.Tests;

/// <summary>
/// FilterCriteria on a DynamoDB stream mapping, end to end: a real stream and a real child-process function (the
/// stream recorder). Records that pass arrive in order; the others never do, and the mapping's position moves past them;
/// BatchSize counts only records that pass; a read whose records all fail the filters invokes nothing; bisecting and
/// ReportBatchItemFailures work on the filtered batch. The control plane's answers and errors are in
/// <see cref="EventSourceMappingFilterClientTests"/>.
/// </summary>
public sealed class EventSourceMappingFilterTests
{
    /// <summary>Passes an item whose "value" begins with "keep", and any removal.</summary>
    private static readonly JsonObject KeepOrRemove = Criteria(
        """{"dynamodb": {"NewImage": {"value": {"S": [{"prefix": "keep"}]}}}}""",
        """{"eventName": ["REMOVE"]}""");

    [Fact]
    public async Task Only_records_that_match_a_filter_arrive_and_BatchSize_counts_only_them()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        // Created disabled, so that every record waits in the stream and the batches do not depend on timing.
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["BatchSize"] = 2, ["FilterCriteria"] = KeepOrRemove.DeepClone(),
        });
        await server.PutAsync("items", "a", "keep-1");
        await server.PutAsync("items", "b", "drop");
        await server.PutAsync("items", "c", "drop");
        await server.PutAsync("items", "d", "keep-2");
        await server.PutAsync("items", "e", "keep-3");
        await server.Dynamo.DeleteItemAsync("items", new() { ["id"] = new("b") }).WaitAsync(TestHost.Wait);
        await server.PutAsync("items", "f", "drop");
        await server.PutAsync("items", "g", "drop");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        // b's and c's inserts are not in a batch, nor do they take a place in one: [a, d] is full at two.
        Assert.Equal([["a", "d"], ["e", "b"]], await server.WaitForBatchesAsync("recorder", 2));
        List<JsonElement> records = server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()).ToList();
        Assert.Equal(["INSERT", "INSERT", "INSERT", "REMOVE"], records.Select(r => r.GetProperty("eventName").GetString()));

        // f and g, after the last record that passed, were processed too: the position moves to the stream's end.
        long end = server.Store.StreamFeed.StartingPosition(streamArn, latest: true)!.Value;
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.PositionOf(uuid), position => position == end);
        Assert.Equal(2, server.Events("recorder").Count);

        // Cleared ({}), the mapping passes everything from where it is: h, not the filtered f and g.
        JsonElement cleared = await UpdateAsync(server, uuid, new JsonObject { ["FilterCriteria"] = new JsonObject() });
        Assert.Equal("{}", cleared.GetProperty("FilterCriteria").GetRawText());
        await server.PutAsync("items", "h", "anything");
        Assert.Equal([["a", "d"], ["e", "b"], ["h"]], await server.WaitForBatchesAsync("recorder", 3));
        Assert.Equal("OK", Result(server, uuid));
    }

    [Fact]
    public async Task A_read_whose_records_all_fail_the_filters_invokes_nothing_and_counts_them_processed()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["FilterCriteria"] = Criteria("""{"eventName": ["REMOVE"]}"""),
        });
        for (int i = 1; i <= 5; i++)
        {
            await server.PutAsync("items", $"x{i}", "inserted");
        }

        long end = server.Store.StreamFeed.StartingPosition(streamArn, latest: true)!.Value;
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.PositionOf(uuid), position => position == end);
        Assert.Empty(server.Events("recorder"));

        // The next record that passes is the first invocation, alone.
        await server.Dynamo.DeleteItemAsync("items", new() { ["id"] = new("x3") }).WaitAsync(TestHost.Wait);
        Assert.Equal([["x3"]], await server.WaitForBatchesAsync("recorder", 1));
        Assert.Equal("REMOVE", server.Events("recorder")[0].GetProperty("Records")[0].GetProperty("eventName").GetString());
    }

    [Fact]
    public async Task The_batching_window_fills_with_records_that_pass()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        // A window longer than the test: the batch goes when two records that pass are in it, the others not counted.
        await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["BatchSize"] = 2, ["MaximumBatchingWindowInSeconds"] = 300, ["FilterCriteria"] = KeepOrRemove.DeepClone(),
        });
        await server.PutAsync("items", "w1", "keep");
        await server.PutAsync("items", "w2", "drop");
        await server.PutAsync("items", "w3", "drop");
        await server.PutAsync("items", "w4", "keep");
        Assert.Equal([["w1", "w4"]], await server.WaitForBatchesAsync("recorder", 1));
    }

    [Fact]
    public async Task BisectBatchOnFunctionError_splits_the_filtered_batch()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.Control("recorder", "poison", "");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["BisectBatchOnFunctionError"] = true, ["MaximumRetryAttempts"] = 0,
            ["FilterCriteria"] = Criteria("""{"dynamodb": {"Keys": {"id": {"S": [{"anything-but": {"prefix": "skip"}}]}}}}"""),
        });
        foreach (string id in new[] { "a", "skip1", "poison", "skip2", "c", "skip3" })
        {
            await server.PutAsync("items", id, "1");
        }

        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        // The batch is the three that pass; it is split as any batch is: [a] succeeds, [poison] is skipped, [c].
        Assert.Equal([["a", "poison", "c"], ["a"], ["poison", "c"], ["poison"], ["c"]], await server.WaitForBatchesAsync("recorder", 5));
        long end = server.Store.StreamFeed.StartingPosition(streamArn, latest: true)!.Value;
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.PositionOf(uuid), position => position == end);
        await server.PutAsync("items", "d", "2");
        Assert.Equal(["d"], (await server.WaitForBatchesAsync("recorder", 6))[5]);
    }

    [Fact]
    public async Task ReportBatchItemFailures_retries_the_filtered_batch_from_the_failed_record()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["FunctionResponseTypes"] = new JsonArray("ReportBatchItemFailures"),
            ["FilterCriteria"] = KeepOrRemove.DeepClone(),
        });
        await server.PutAsync("items", "a", "keep");
        await server.PutAsync("items", "x", "drop");
        await server.PutAsync("items", "b", "keep");
        await server.PutAsync("items", "y", "drop");
        await server.PutAsync("items", "c", "keep");
        server.Control("recorder", "report", "b");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        Assert.Equal([["a", "b", "c"], ["b", "c"]], await server.WaitForBatchesAsync("recorder", 2));
        await server.PutAsync("items", "z", "drop");
        await server.PutAsync("items", "d", "keep");
        Assert.Equal([["a", "b", "c"], ["b", "c"], ["d"]], await server.WaitForBatchesAsync("recorder", 3));
    }

    [Fact]
    public async Task A_function_error_retries_the_filtered_batch_and_an_update_of_the_filters_applies_to_the_next_read()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["FilterCriteria"] = KeepOrRemove.DeepClone(),
        });
        await server.PutAsync("items", "a", "keep");
        await server.PutAsync("items", "x", "drop");
        await server.PutAsync("items", "b", "keep");
        server.Control("recorder", "fail", "1");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        Assert.Equal([["a", "b"], ["a", "b"]], await server.WaitForBatchesAsync("recorder", 2));

        // New filters, set while disabled so that the next read is sure to use them: only "drop" values now. The
        // mapping goes on after b.
        await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r == "OK");
        JsonElement updated = await UpdateAsync(server, uuid, new JsonObject
        {
            ["Enabled"] = false,
            ["FilterCriteria"] = Criteria("""{"dynamodb": {"NewImage": {"value": {"S": ["drop"]}}}}"""),
        });
        Assert.Equal("""{"dynamodb": {"NewImage": {"value": {"S": ["drop"]}}}}""",
            updated.GetProperty("FilterCriteria").GetProperty("Filters")[0].GetProperty("Pattern").GetString());
        await StreamServer.WaitUntilAsync(() => State(server, uuid), s => s == "Disabled");
        await server.PutAsync("items", "k", "keep");
        await server.PutAsync("items", "y", "drop");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        Assert.Equal([["a", "b"], ["a", "b"], ["y"]], await server.WaitForBatchesAsync("recorder", 3));
    }

    [Fact]
    public async Task A_record_nested_at_the_stores_limit_is_filtered_and_does_not_stop_the_mapping()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject
        {
            ["Enabled"] = false, ["FilterCriteria"] = Criteria("""{"eventName": ["INSERT"]}"""),
        });

        // A string inside 31 maps: the deepest item DynamoDB (and the store) accepts, about 66 levels of JSON in the
        // record, beyond a JSON reader's default 64.
        AttributeValue deep = new("deep");
        for (int i = 0; i < 31; i++)
        {
            deep = new AttributeValue { M = new Dictionary<string, AttributeValue> { ["n"] = deep } };
        }

        await server.Dynamo.PutItemAsync("items", new Dictionary<string, AttributeValue> { ["id"] = new("deep"), ["doc"] = deep }).WaitAsync(TestHost.Wait);
        await server.PutAsync("items", "after", "1");
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        Assert.Equal(["deep", "after"], (await server.WaitForBatchesAsync("recorder", 1))[0]);
        // The result is set once the invocation returns, after the function has recorded the batch.
        await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r == "OK");
    }

    internal static JsonObject Criteria(params string[] patterns)
    {
        JsonArray filters = [];
        foreach (string pattern in patterns)
        {
            filters.Add(new JsonObject { ["Pattern"] = pattern });
        }

        return new JsonObject { ["Filters"] = filters };
    }
}
