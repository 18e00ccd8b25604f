using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Handshake.Dynamo;
using static Handshake.Lambda.Tests.EventSourceMappingRequests;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Event source mappings: a table's stream invokes a real child-process function (a bash runtime that records every
/// event it receives), in order, batch by batch; the control plane with the official clients; the mapping's lifecycle.
/// Error handling is in <see cref="EventSourceMappingErrorTests"/>.
/// </summary>
public sealed class EventSourceMappingTests
{
    [Fact]
    public async Task The_AWS_CLI_maps_a_stream_to_a_function_that_receives_every_change_in_order()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("orders");
        server.AddRecorder("recorder");
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();

        var created = await AwsCli.RunAsync(["lambda", "create-event-source-mapping", "--endpoint-url", endpoint,
            "--function-name", "recorder", "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON"], environment);
        Assert.True(created.ExitCode == 0, created.Stderr);
        JsonElement mapping = JsonDocument.Parse(created.Stdout).RootElement;
        string uuid = mapping.GetProperty("UUID").GetString()!;
        Assert.Equal("Creating", mapping.GetProperty("State").GetString());
        Assert.Equal(100, mapping.GetProperty("BatchSize").GetInt32());
        Assert.Equal(0, mapping.GetProperty("MaximumBatchingWindowInSeconds").GetInt32());
        Assert.Equal(1, mapping.GetProperty("ParallelizationFactor").GetInt32());
        Assert.Equal("TRIM_HORIZON", mapping.GetProperty("StartingPosition").GetString());
        Assert.Equal(streamArn, mapping.GetProperty("EventSourceArn").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:recorder", mapping.GetProperty("FunctionArn").GetString());
        Assert.Equal("No records processed", mapping.GetProperty("LastProcessingResult").GetString());
        Assert.Equal("User action", mapping.GetProperty("StateTransitionReason").GetString());
        Assert.Equal(-1, mapping.GetProperty("MaximumRecordAgeInSeconds").GetInt32());
        Assert.Equal(-1, mapping.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.False(mapping.GetProperty("BisectBatchOnFunctionError").GetBoolean());
        Assert.Equal(0, mapping.GetProperty("TumblingWindowInSeconds").GetInt32());
        Assert.Equal(0, mapping.GetProperty("FunctionResponseTypes").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, mapping.GetProperty("DestinationConfig").GetProperty("OnFailure").ValueKind);
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}", mapping.GetProperty("EventSourceMappingArn").GetString());

        await server.PutAsync("orders", "a", "one");
        await server.Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "orders",
            Key = new() { ["id"] = new("a") },
            UpdateExpression = "SET #v = :v",
            ExpressionAttributeNames = new() { ["#v"] = "value" },
            ExpressionAttributeValues = new() { [":v"] = new("two") },
        }).WaitAsync(TestHost.Wait);
        await server.Dynamo.DeleteItemAsync("orders", new() { ["id"] = new("a") }).WaitAsync(TestHost.Wait);
        await server.PutAsync("orders", "b", "three");

        List<JsonElement> records = await StreamServer.WaitUntilAsync(
            () => server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()).ToList(), r => r.Count >= 4);
        Assert.Equal(4, records.Count);
        Assert.Equal(["INSERT", "MODIFY", "REMOVE", "INSERT"], records.Select(r => r.GetProperty("eventName").GetString()));
        Assert.Equal(["a", "a", "a", "b"], records.Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("id").GetProperty("S").GetString()));
        foreach (JsonElement record in records)
        {
            Assert.Equal("aws:dynamodb", record.GetProperty("eventSource").GetString());
            Assert.Equal("1.1", record.GetProperty("eventVersion").GetString());
            Assert.Equal("us-east-1", record.GetProperty("awsRegion").GetString());
            Assert.Equal(streamArn, record.GetProperty("eventSourceARN").GetString());
            Assert.Equal(32, record.GetProperty("eventID").GetString()!.Length);
            JsonElement dynamodb = record.GetProperty("dynamodb");
            Assert.Equal("NEW_AND_OLD_IMAGES", dynamodb.GetProperty("StreamViewType").GetString());
            Assert.Equal(JsonValueKind.Number, dynamodb.GetProperty("ApproximateCreationDateTime").ValueKind);
            Assert.True(dynamodb.GetProperty("SizeBytes").GetInt32() > 0);
            Assert.False(record.TryGetProperty("userIdentity", out _));
        }

        List<string> sequences = records.Select(r => r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!).ToList();
        Assert.Equal(sequences.Order(StringComparer.Ordinal), sequences);
        Assert.Equal(4, sequences.Distinct().Count());
        Assert.Equal("""{"id":{"S":"a"},"value":{"S":"one"}}""", Image(records[0], "NewImage"));
        Assert.False(records[0].GetProperty("dynamodb").TryGetProperty("OldImage", out _));
        Assert.Equal("""{"id":{"S":"a"},"value":{"S":"one"}}""", Image(records[1], "OldImage"));
        Assert.Equal("""{"id":{"S":"a"},"value":{"S":"two"}}""", Image(records[1], "NewImage"));
        Assert.Equal("""{"id":{"S":"a"},"value":{"S":"two"}}""", Image(records[2], "OldImage"));
        Assert.False(records[2].GetProperty("dynamodb").TryGetProperty("NewImage", out _));
        Assert.Equal("""{"id":{"S":"b"},"value":{"S":"three"}}""", Image(records[3], "NewImage"));

        JsonElement got = await CliAsync(environment, "get-event-source-mapping", "--endpoint-url", endpoint, "--uuid", uuid);
        Assert.Equal("Enabled", got.GetProperty("State").GetString());
        Assert.Equal("OK", got.GetProperty("LastProcessingResult").GetString());
        JsonElement listed = await CliAsync(environment, "list-event-source-mappings", "--endpoint-url", endpoint, "--function-name", "recorder");
        Assert.Equal([uuid], listed.GetProperty("EventSourceMappings").EnumerateArray().Select(m => m.GetProperty("UUID").GetString()));
        JsonElement byArn = await CliAsync(environment, "list-event-source-mappings", "--endpoint-url", endpoint, "--event-source-arn", streamArn + "x");
        Assert.Equal(0, byArn.GetProperty("EventSourceMappings").GetArrayLength());

        JsonElement deleted = await CliAsync(environment, "delete-event-source-mapping", "--endpoint-url", endpoint, "--uuid", uuid);
        Assert.Equal("Deleting", deleted.GetProperty("State").GetString());
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.TryGet(uuid, out _), exists => !exists);
        var missing = await AwsCli.RunAsync(["lambda", "get-event-source-mapping", "--endpoint-url", endpoint, "--uuid", uuid], environment);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(ResourceNotFoundException) when calling the GetEventSourceMapping operation: The resource you requested does not exist.", missing.Stderr);
    }

    [Fact]
    public async Task A_mapping_through_an_alias_invokes_the_version_the_alias_names()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("orders");
        server.AddRecorder("recorder");
        Assert.Equal("1", server.Host.PublishVersion("recorder").Version);
        server.Host.CreateAlias("recorder", new Functions.FunctionAlias { Name = "live", FunctionVersion = "1" });
        // $LATEST now records elsewhere: only version 1 writes to the recorder's file.
        string latestFile = server.RecordFile("recorder") + ".latest";
        server.Host.UpdateFunction("recorder", f => f with { Environment = new Dictionary<string, string>(f.Environment) { ["RECORD_FILE"] = latestFile } });

        string uuid = await CreateAsync(server, "arn:aws:lambda:us-east-1:000000000000:function:recorder:live", streamArn, []);
        JsonElement mapping = await SendAsync(server, HttpMethod.Get, $"/2015-03-31/event-source-mappings/{uuid}", [], HttpStatusCode.OK);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:recorder:live", mapping.GetProperty("FunctionArn").GetString());
        await server.PutAsync("orders", "a", "one");

        JsonElement record = (await StreamServer.WaitUntilAsync(
            () => server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()).ToList(), r => r.Count >= 1)).Single();
        Assert.Equal("INSERT", record.GetProperty("eventName").GetString());
        Assert.False(File.Exists(latestFile));

        // The same function through another qualifier is another mapping; the same qualifier is a conflict.
        await CreateAsync(server, "recorder", streamArn, []);
        JsonElement conflict = await SendAsync(server, HttpMethod.Post, "/2015-03-31/event-source-mappings/",
            new JsonObject { ["FunctionName"] = "recorder:live", ["EventSourceArn"] = streamArn, ["StartingPosition"] = "LATEST" }, HttpStatusCode.Conflict);
        Assert.Contains("and function (\" recorder:live \") provided mapping already exists", conflict.GetProperty("message").GetString());
        JsonElement byAlias = await SendAsync(server, HttpMethod.Get, "/2015-03-31/event-source-mappings/?FunctionName=recorder:live", [], HttpStatusCode.OK);
        Assert.Equal([uuid], byAlias.GetProperty("EventSourceMappings").EnumerateArray().Select(m => m.GetProperty("UUID").GetString()));
        JsonElement byName = await SendAsync(server, HttpMethod.Get, "/2015-03-31/event-source-mappings/?FunctionName=recorder", [], HttpStatusCode.OK);
        Assert.Equal(2, byName.GetProperty("EventSourceMappings").GetArrayLength());

        JsonElement unknown = await SendAsync(server, HttpMethod.Post, "/2015-03-31/event-source-mappings/",
            new JsonObject { ["FunctionName"] = "recorder:7", ["EventSourceArn"] = streamArn, ["StartingPosition"] = "LATEST" }, HttpStatusCode.BadRequest);
        Assert.Equal("Function does not exist", unknown.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_TTL_removal_reaches_the_function_with_Lambdas_userIdentity()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        await server.Dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
        {
            TableName = "items",
            TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
        }).WaitAsync(TestHost.Wait);
        await server.Dynamo.PutItemAsync("items", new Dictionary<string, AttributeValue>
        {
            ["id"] = new("expired"),
            ["expires"] = new() { N = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }).WaitAsync(TestHost.Wait);
        await server.PutAsync("items", "user", "1");
        await server.Dynamo.DeleteItemAsync("items", new() { ["id"] = new("user") }).WaitAsync(TestHost.Wait);
        Assert.Equal(1, await server.Store.SweepExpiredItemsAsync().WaitAsync(TestHost.Wait));
        await CreateAsync(server, "recorder", streamArn, []);

        List<JsonElement> records = await StreamServer.WaitUntilAsync(
            () => server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()).ToList(), r => r.Count >= 4);
        Assert.Equal(["INSERT", "INSERT", "REMOVE", "REMOVE"], records.Select(r => r.GetProperty("eventName").GetString()));
        // A user's delete carries no identity; the sweeper's names DynamoDB, in the member names of Lambda's event.
        Assert.False(records[2].TryGetProperty("userIdentity", out _));
        Assert.Equal("expired", records[3].GetProperty("dynamodb").GetProperty("Keys").GetProperty("id").GetProperty("S").GetString());
        JsonElement identity = records[3].GetProperty("userIdentity");
        Assert.Equal("dynamodb.amazonaws.com", identity.GetProperty("principalId").GetString());
        Assert.Equal("Service", identity.GetProperty("type").GetString());
        Assert.Equal(2, identity.EnumerateObject().Count());
    }

    [Fact]
    public async Task The_Node_SDK_gets_Lambdas_errors_for_refused_mappings()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("things");
        server.AddRecorder("recorder");
        string script = Path.Combine(AppContext.BaseDirectory, "node", "esm-client.cjs");
        var run = await Repository.RunAsync("node", [script, streamArn], Repository.AwsEnvironment(server.Endpoint));
        Assert.True(run.ExitCode == 0, run.Stderr);
        JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

        void Refused(string name, string type, string message)
        {
            JsonElement error = result.GetProperty(name);
            Assert.Equal(type, error.GetProperty("name").GetString());
            Assert.Equal(message, error.GetProperty("message").GetString());
        }

        Refused("noStartingPosition", "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
        Refused("atTimestamp", "InvalidParameterValueException", $"Unsupported starting position for arn type: {streamArn}");
        Refused("batchTooSmall", "ValidationException", "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1");
        Refused("batchTooLarge", "ValidationException", "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000");
        Refused("unknownFunction", "InvalidParameterValueException", "Function does not exist");
        string missingStream = streamArn[..streamArn.LastIndexOf('/')] + "/2000-01-01T00:00:00.000";
        Refused("unknownStream", "InvalidParameterValueException", $"Stream not found: {missingStream}");
        string uuid = result.GetProperty("created").GetProperty("UUID").GetString()!;
        Refused("duplicate", "ResourceConflictException", $"The event source arn (\" {streamArn} \") and function (\" recorder \") provided mapping already exists. Please update or delete the existing mapping with UUID {uuid}");
        Refused("getUnknown", "ResourceNotFoundException", "The resource you requested does not exist.");
        Refused("updateUnknown", "ResourceNotFoundException", "The resource you requested does not exist.");
        Refused("deleteUnknown", "ResourceNotFoundException", "The resource you requested does not exist.");

        JsonElement created = result.GetProperty("created");
        Assert.Equal("Creating", created.GetProperty("State").GetString());
        Assert.Equal(25, created.GetProperty("BatchSize").GetInt32());
        Assert.Equal("LATEST", created.GetProperty("StartingPosition").GetString());
        Assert.Equal(JsonValueKind.String, created.GetProperty("LastModified").ValueKind); // the SDK parsed epoch seconds into a Date
        JsonElement updated = result.GetProperty("updated");
        Assert.Equal("Updating", updated.GetProperty("State").GetString());
        Assert.Equal(7, updated.GetProperty("BatchSize").GetInt32());
        Assert.Equal(3, updated.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.True(updated.GetProperty("BisectBatchOnFunctionError").GetBoolean());
        Assert.Equal(["ReportBatchItemFailures"], updated.GetProperty("FunctionResponseTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Disabling", result.GetProperty("disabled").GetProperty("State").GetString());
        Assert.Equal([uuid], result.GetProperty("listed").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("Deleting", result.GetProperty("deleted").GetProperty("State").GetString());
    }

    [Fact]
    public async Task BatchSize_caps_each_invocation_and_records_arrive_in_order()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        // Created disabled, so that all five records wait in the stream and the batches do not depend on timing.
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["BatchSize"] = 2, ["Enabled"] = false });
        foreach (string id in new[] { "r1", "r2", "r3", "r4", "r5" })
        {
            await server.PutAsync("items", id, id);
        }

        Assert.Equal("Enabling", (await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true })).GetProperty("State").GetString());
        List<List<string>> batches = await server.WaitForBatchesAsync("recorder", 3);
        Assert.Equal([["r1", "r2"], ["r3", "r4"], ["r5"]], batches);
        await StreamServer.WaitUntilAsync(() => State(server, uuid), state => state == "Enabled");
    }

    [Fact]
    public async Task MaximumBatchingWindowInSeconds_waits_for_a_full_batch()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        // A window longer than the test: the batch goes when it is full, so the three writes, made one by one while the
        // mapping is reading, arrive together.
        await CreateAsync(server, "recorder", streamArn, new JsonObject { ["BatchSize"] = 3, ["MaximumBatchingWindowInSeconds"] = 300 });
        await server.PutAsync("items", "w1", "1");
        await server.PutAsync("items", "w2", "2");
        await server.PutAsync("items", "w3", "3");
        Assert.Equal([["w1", "w2", "w3"]], await server.WaitForBatchesAsync("recorder", 1));
    }

    [Fact]
    public async Task A_batch_never_passes_Lambdas_6_MB_payload_limit()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["Enabled"] = false });
        // 20 records of about 350 KB: 7 MB, more than one invocation may carry, though BatchSize (100) would take them all.
        string big = new('x', 350 * 1024);
        for (int i = 0; i < 20; i++)
        {
            await server.PutAsync("items", $"big{i:D2}", big);
        }

        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Sum(x => x.Count) >= 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"big{i:D2}"), batches.SelectMany(b => b));
        Assert.True(batches.Count > 1);
        Assert.All(File.ReadAllLines(server.RecordFile("recorder")), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 6 * 1024 * 1024));
    }

    [Fact]
    public async Task ListEventSourceMappings_pages_with_MaxItems_and_NextMarker()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        List<string> uuids = [];
        foreach (string function in new[] { "f1", "f2", "f3" })
        {
            server.AddRecorder(function);
            uuids.Add(await CreateAsync(server, function, streamArn, new JsonObject { ["Enabled"] = false }));
        }

        using HttpClient client = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
        List<string> seen = [];
        string? marker = null;
        int pages = 0;
        do
        {
            string page = await client.GetStringAsync($"/2015-03-31/event-source-mappings/?EventSourceArn={Uri.EscapeDataString(streamArn)}&MaxItems=2"
                + (marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker)));
            JsonElement body = JsonDocument.Parse(page).RootElement;
            seen.AddRange(body.GetProperty("EventSourceMappings").EnumerateArray().Select(m => m.GetProperty("UUID").GetString()!));
            marker = body.TryGetProperty("NextMarker", out JsonElement next) ? next.GetString() : null;
            pages++;
        }
        while (marker is not null && pages < 10);

        Assert.Equal(uuids, seen);
        Assert.Equal(2, pages);
        JsonElement f2 = JsonDocument.Parse(await client.GetStringAsync("/2015-03-31/event-source-mappings/?FunctionName=f2")).RootElement;
        Assert.Equal([uuids[1]], f2.GetProperty("EventSourceMappings").EnumerateArray().Select(m => m.GetProperty("UUID").GetString()));
    }

    [Fact]
    public async Task Disabling_keeps_the_position_and_enabling_goes_on_from_it()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, []);
        await server.PutAsync("items", "before", "1");
        Assert.Equal([["before"]], await server.WaitForBatchesAsync("recorder", 1));

        Assert.Equal("Disabling", (await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = false })).GetProperty("State").GetString());
        await StreamServer.WaitUntilAsync(() => State(server, uuid), state => state == "Disabled");
        await server.PutAsync("items", "while1", "2");
        await server.PutAsync("items", "while2", "3");
        Assert.Single(server.Batches("recorder"));

        Assert.Equal("Enabling", (await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true })).GetProperty("State").GetString());
        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Sum(x => x.Count) >= 3);
        Assert.Equal(["before", "while1", "while2"], batches.SelectMany(b => b));
        Assert.Equal("Enabled", await StreamServer.WaitUntilAsync(() => State(server, uuid), state => state == "Enabled"));
    }

    [Fact]
    public async Task LATEST_starts_after_the_records_already_there_and_TRIM_HORIZON_before_them()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("oldest");
        server.AddRecorder("latest");
        await server.PutAsync("items", "early", "1");
        await CreateAsync(server, "oldest", streamArn, [], "TRIM_HORIZON");
        await CreateAsync(server, "latest", streamArn, [], "LATEST");
        await server.PutAsync("items", "late", "2");

        Assert.Equal(["late"], (await StreamServer.WaitUntilAsync(() => server.Batches("latest"), b => b.Count >= 1)).SelectMany(b => b));
        Assert.Equal(["early", "late"], (await StreamServer.WaitUntilAsync(() => server.Batches("oldest"), b => b.Sum(x => x.Count) >= 2)).SelectMany(b => b));
    }

    [Fact]
    public async Task A_deleted_mapping_delivers_nothing_more()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("deleted");
        server.AddRecorder("witness");
        string uuid = await CreateAsync(server, "deleted", streamArn, []);
        await server.PutAsync("items", "first", "1");
        Assert.Equal([["first"]], await server.WaitForBatchesAsync("deleted", 1));

        using HttpClient client = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
        using HttpResponseMessage deleted = await client.DeleteAsync($"/2015-03-31/event-source-mappings/{uuid}");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.TryGet(uuid, out _), exists => !exists);
        await server.PutAsync("items", "second", "2");
        // A mapping created after the write sees it (TRIM_HORIZON): by the time it has, the deleted one would have too.
        await CreateAsync(server, "witness", streamArn, []);
        await StreamServer.WaitUntilAsync(() => server.Batches("witness"), b => b.Sum(x => x.Count) >= 2);
        Assert.Equal([["first"]], server.Batches("deleted"));
        using HttpResponseMessage again = await client.DeleteAsync($"/2015-03-31/event-source-mappings/{uuid}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_deleted_function_shows_as_a_problem_and_its_records_wait_for_it()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, []);
        server.Host.DeleteFunction("recorder");
        await server.PutAsync("items", "orphan", "1");
        Assert.Equal("PROBLEM: Function not found", await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r.StartsWith("PROBLEM", StringComparison.Ordinal)));

        // The same function again: the waiting record is delivered (the mapping kept its position).
        server.AddRecorder("recorder");
        Assert.Equal([["orphan"]], await server.WaitForBatchesAsync("recorder", 1));
        Assert.Equal("OK", await StreamServer.WaitUntilAsync(() => Result(server, uuid), r => r == "OK"));
    }

    [Fact]
    public async Task A_deleted_tables_stream_is_read_to_its_end_then_its_poller_stops()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["Enabled"] = false });
        await server.PutAsync("items", "last", "1");
        await server.Dynamo.DeleteTableAsync("items").WaitAsync(TestHost.Wait);
        await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });

        // The records written before the deletion are delivered; then the closed shard ends the poller (no polling loop).
        Assert.Equal([["last"]], await server.WaitForBatchesAsync("recorder", 1));
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.RunningPollers(), running => running == 0);
        Assert.Equal("OK", Result(server, uuid));
    }

    [Fact]
    public async Task A_poller_that_ended_on_a_closed_shard_is_started_again_by_a_later_enable()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        string uuid = await CreateAsync(server, "recorder", streamArn, []);
        await server.PutAsync("items", "last", "1");
        Assert.Equal([["last"]], await server.WaitForBatchesAsync("recorder", 1));
        await server.Dynamo.DeleteTableAsync("items").WaitAsync(TestHost.Wait);
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.RunningPollers(), running => running == 0);

        // The ended poller is no longer the mapping's: enabling starts a new one (which reads the closed shard again),
        // where it used to answer Updating and start nothing.
        JsonElement enabled = await UpdateAsync(server, uuid, new JsonObject { ["Enabled"] = true });
        Assert.Equal("Enabling", enabled.GetProperty("State").GetString());
        await StreamServer.WaitUntilAsync(() => server.Host.EventSourceMappings.RunningPollers(), running => running == 0);
        Assert.Equal([["last"]], server.Batches("recorder"));
    }

    [Fact]
    public async Task Updating_a_mappings_function_to_one_already_mapped_to_the_stream_is_a_conflict()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        server.AddRecorder("recorder");
        server.AddRecorder("other");
        string first = await CreateAsync(server, "recorder", streamArn, new JsonObject { ["Enabled"] = false });
        string second = await CreateAsync(server, "other", streamArn, new JsonObject { ["Enabled"] = false });

        JsonElement conflict = await SendAsync(server, HttpMethod.Put, $"/2015-03-31/event-source-mappings/{second}",
            new JsonObject { ["FunctionName"] = "recorder" }, HttpStatusCode.Conflict);
        Assert.Equal($"The event source arn (\" {streamArn} \") and function (\" recorder \") provided mapping already exists. Please update or delete the existing mapping with UUID {first}",
            conflict.GetProperty("message").GetString());
        // Refused, it changed nothing; the same function under another qualifier is another mapping.
        JsonElement unchanged = await SendAsync(server, HttpMethod.Get, $"/2015-03-31/event-source-mappings/{second}", [], HttpStatusCode.OK);
        Assert.EndsWith(":function:other", unchanged.GetProperty("FunctionArn").GetString());
        // Updating a mapping to its own function is no conflict.
        await UpdateAsync(server, first, new JsonObject { ["FunctionName"] = "recorder" });
    }

    [Fact]
    public async Task The_event_source_mapping_feed_reads_no_more_than_its_byte_budget()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("items");
        await server.PutAsync("items", "a", "1");
        await server.PutAsync("items", "b", "2");
        await server.PutAsync("items", "c", "3");
        StreamFeed feed = server.Store.StreamFeed;
        long start = feed.StartingPosition(streamArn, latest: false)!.Value;

        List<StreamFeedRecord> all = [];
        Assert.Equal(StreamFeedStatus.Open, feed.Read(streamArn, start, 100, all));
        Assert.Equal(3, all.Count);
        // Two records' JSON fits, a third would not; a budget smaller than one record still reads that one.
        List<StreamFeedRecord> two = [];
        feed.Read(streamArn, start, 100, two, all[0].Json.Length + all[1].Json.Length + all[2].Json.Length - 1);
        Assert.Equal(2, two.Count);
        List<StreamFeedRecord> one = [];
        feed.Read(streamArn, start, 100, one, 1);
        Assert.Equal(all[0].Sequence, Assert.Single(one).Sequence);
    }

    [Fact]
    public async Task Host_shutdown_stops_a_poller_that_is_retrying_and_leaves_no_process()
    {
        StreamServer server = await StreamServer.StartAsync();
        FunctionHost host = server.Host;
        try
        {
            string streamArn = await server.CreateTableAsync("items");
            server.AddRecorder("recorder");
            server.Control("recorder", "fail", "always");
            await CreateAsync(server, "recorder", streamArn, []);
            await server.PutAsync("items", "a", "1");
            await server.WaitForBatchesAsync("recorder", 2);
            Assert.Equal(1, host.EventSourceMappings.RunningPollers());
        }
        finally
        {
            // TestHost's disposal asserts that no process of the test is left.
            await server.DisposeAsync();
        }

        Assert.Equal(0, host.EventSourceMappings.RunningPollers());
    }

    private static string Image(JsonElement record, string name) => record.GetProperty("dynamodb").GetProperty(name).GetRawText();

    private static async Task<JsonElement> CliAsync(Dictionary<string, string> environment, string operation, params string[] arguments)
    {
        var run = await AwsCli.RunAsync(["lambda", operation, .. arguments], environment);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
