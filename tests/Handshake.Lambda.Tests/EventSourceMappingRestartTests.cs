using System.Text.Json;
using Handshake.Dynamo;
using Handshake.Lambda.EventSources;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Event source mappings survive a restart of the host (and the store) on the same data directory: listed by the AWS
/// CLI as they were, and each resumes after the last record whose batch was done, neither from TRIM_HORIZON nor from
/// LATEST. What the function received is read from its own record file.
/// </summary>
public sealed class EventSourceMappingRestartTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("handshake-esm-restart-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task After_a_restart_a_mapping_delivers_exactly_the_records_written_since_its_checkpoint_and_is_listed_as_before()
    {
        string streamArn, uuid;
        JsonElement listedBefore;
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            streamArn = await first.CreateTableAsync("orders");
            string quietArn = await first.CreateTableAsync("audit");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            JsonElement created = await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder",
                "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--batch-size", "2",
                "--maximum-retry-attempts", "4", "--bisect-batch-on-function-error",
                "--filter-criteria", """{"Filters": [{"Pattern": "{\"eventName\": [\"INSERT\"]}"}]}""");
            uuid = created.GetProperty("UUID").GetString()!;
            // A second mapping, disabled: it stays disabled.
            await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", quietArn,
                "--starting-position", "LATEST", "--no-enabled");

            foreach (string id in new[] { "a1", "a2", "a3" })
            {
                await first.PutAsync("orders", id, "before");
            }

            // All three recorded: no batch can come after the last one read here.
            await StreamServer.WaitUntilAsync(() => first.Batches("recorder"), b => b.Sum(x => x.Count) >= 3);
            // The last batch is done once its checkpoint is saved: the function answered and the position moved on.
            string last = first.Events("recorder")[^1].GetProperty("Records").EnumerateArray().Last().GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;
            await StreamServer.WaitUntilAsync(() => SavedPosition(first.Host, uuid), position => position == last);
            listedBefore = await ListAsync(first);
        }

        await using StreamServer second = await StreamServer.StartAsync(_data);
        JsonElement listedAfter = await ListAsync(second);
        Assert.Equal(Comparable(listedBefore), Comparable(listedAfter));

        second.AddRecorder("recorder");
        second.Host.ResumeSavedWork();
        await second.PutAsync("orders", "b1", "after");
        await second.PutAsync("orders", "b2", "after");
        List<string> delivered = (await StreamServer.WaitUntilAsync(() => second.Batches("recorder"), b => b.Sum(x => x.Count) >= 5)).SelectMany(b => b).ToList();

        // The three records of the first run once, then only the two new ones: nothing read again, nothing skipped.
        Assert.Equal(["a1", "a2", "a3", "b1", "b2"], delivered);
        JsonElement mapping = await CliAsync(second, "get-event-source-mapping", "--uuid", uuid);
        Assert.Equal(("Enabled", streamArn), (mapping.GetProperty("State").GetString(), mapping.GetProperty("EventSourceArn").GetString()));
    }

    [Fact]
    public async Task A_mapping_deleted_before_the_restart_stays_deleted_and_a_disable_stays_disabled()
    {
        string deleted, disabled;
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            string ordersArn = await first.CreateTableAsync("orders");
            string auditArn = await first.CreateTableAsync("audit");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            deleted = (await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", ordersArn,
                "--starting-position", "LATEST")).GetProperty("UUID").GetString()!;
            disabled = (await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", auditArn,
                "--starting-position", "LATEST")).GetProperty("UUID").GetString()!;
            Assert.Equal("Deleting", (await CliAsync(first, "delete-event-source-mapping", "--uuid", deleted)).GetProperty("State").GetString());
            Assert.Equal("Disabling", (await CliAsync(first, "update-event-source-mapping", "--uuid", disabled, "--no-enabled")).GetProperty("State").GetString());
        }

        await using StreamServer second = await StreamServer.StartAsync(_data);
        second.AddRecorder("recorder");
        second.Host.ResumeSavedWork();
        JsonElement listed = await ListAsync(second);
        JsonElement only = Assert.Single(listed.GetProperty("EventSourceMappings").EnumerateArray());
        Assert.Equal((disabled, "Disabled"), (only.GetProperty("UUID").GetString(), only.GetProperty("State").GetString()));
        Assert.Equal(0, second.Host.EventSourceMappings.RunningPollers());
    }

    [Fact]
    public async Task A_restored_mapping_updated_before_ResumeSavedWork_gets_its_poller_only_from_it()
    {
        string uuid;
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            string ordersArn = await first.CreateTableAsync("orders");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            uuid = (await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", ordersArn,
                "--starting-position", "LATEST")).GetProperty("UUID").GetString()!;
        }

        await using StreamServer second = await StreamServer.StartAsync(_data);
        // Before ResumeSavedWork (as before `up` has loaded its project file): the change is made, no poller starts.
        await CliAsync(second, "update-event-source-mapping", "--uuid", uuid, "--batch-size", "5");
        Assert.Equal(0, second.Host.EventSourceMappings.RunningPollers());

        second.AddRecorder("recorder");
        second.Host.ResumeSavedWork();
        await StreamServer.WaitUntilAsync(() => second.Host.EventSourceMappings.RunningPollers(), running => running == 1);
        await second.PutAsync("orders", "b1", "after");
        Assert.Equal(["b1"], (await second.WaitForBatchesAsync("recorder", 1)).Single());
        Assert.Equal(5, (await CliAsync(second, "get-event-source-mapping", "--uuid", uuid)).GetProperty("BatchSize").GetInt32());
    }

    [Fact]
    public async Task A_batch_in_flight_when_the_host_stops_is_not_given_up_and_is_sent_again_after_the_restart()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            string streamArn = await first.CreateTableAsync("orders");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            // No retries: a failure would give the batch up at once. The stop's own failure must not.
            await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", streamArn,
                "--starting-position", "TRIM_HORIZON", "--maximum-retry-attempts", "0");
            first.Control("recorder", "hold", "");
            await first.PutAsync("orders", "c1", "held");
            await first.WaitForBatchesAsync("recorder", 1);
        }

        File.Delete(Path.Combine(_data, "work", "recorder-control", "hold"));
        await using StreamServer second = await StreamServer.StartAsync(_data);
        second.AddRecorder("recorder");
        second.Host.ResumeSavedWork();
        await second.PutAsync("orders", "c2", "after");
        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => second.Batches("recorder"), b => b.Sum(x => x.Count) >= 3);

        // At least once: the batch cut by the stop, then the same record again with the new one.
        Assert.Equal(["c1"], batches[0]);
        Assert.Equal(["c1", "c2"], batches.Skip(1).SelectMany(b => b));
    }

    [Fact]
    public async Task A_saved_position_trimmed_from_the_stream_while_the_host_was_down_reads_on_from_the_oldest_record_kept()
    {
        string uuid;
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            string streamArn = await first.CreateTableAsync("orders");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            uuid = (await CliAsync(first, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", streamArn,
                "--starting-position", "TRIM_HORIZON")).GetProperty("UUID").GetString()!;
            await first.PutAsync("orders", "a1", "delivered");
            await first.WaitForBatchesAsync("recorder", 1);
            string delivered = first.Events("recorder")[0].GetProperty("Records")[0].GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;
            await StreamServer.WaitUntilAsync(() => SavedPosition(first.Host, uuid), position => position == delivered);
            // Disabled, then two more records: the saved position stays before them.
            await CliAsync(first, "update-event-source-mapping", "--uuid", uuid, "--no-enabled");
            await StreamServer.WaitUntilAsync(() => first.Host.EventSourceMappings.RunningPollers(), running => running == 0);
            await first.PutAsync("orders", "a2", "trimmed");
            await first.PutAsync("orders", "a3", "trimmed");
        }

        // A day and an hour later: the stream's 24-hour retention trims every record so far, the saved position with them.
        await using StreamServer second = await StreamServer.StartAsync(_data, clock: new ShiftedClock(TimeSpan.FromHours(25)));
        Assert.True(await second.Store.TrimStreamsAsync().WaitAsync(TestHost.Wait) >= 3);
        second.AddRecorder("recorder");
        second.Host.ResumeSavedWork();
        Assert.Equal("Enabling", (await CliAsync(second, "update-event-source-mapping", "--uuid", uuid, "--enabled")).GetProperty("State").GetString());
        await second.PutAsync("orders", "b1", "kept");
        List<string> delivered2 = (await StreamServer.WaitUntilAsync(() => second.Batches("recorder"), b => b.Sum(x => x.Count) >= 2)).SelectMany(b => b).ToList();

        // As with a trimmed iterator: the trimmed records are lost to the mapping, and it reads on from the oldest kept.
        Assert.Equal(["a1", "b1"], delivered2);
    }

    /// <summary>The mapping's saved position, as a stream sequence number, or null.</summary>
    private static string? SavedPosition(FunctionHost host, string uuid)
    {
        foreach ((string key, string body) in host.StateDatabase.Load(EventSourceMappingDocument.Kind))
        {
            if (key == uuid)
            {
                using JsonDocument document = JsonDocument.Parse(body);
                return StreamFeed.FormatSequence(document.RootElement.GetProperty("Position").GetInt64());
            }
        }

        return null;
    }

    /// <summary>The listing, LastProcessingResult included (it is saved with each checkpoint).</summary>
    private static string Comparable(JsonElement listed) => listed.GetProperty("EventSourceMappings").GetRawText();

    private static Task<JsonElement> ListAsync(StreamServer server) => CliAsync(server, "list-event-source-mappings");

    private static async Task<JsonElement> CliAsync(StreamServer server, string operation, params string[] arguments)
    {
        var run = await AwsCli.RunAsync(["lambda", operation, "--endpoint-url", server.Endpoint.ToString(), .. arguments],
            Repository.AwsEnvironment(server.Endpoint));
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    /// <summary>The system's clock, moved on: a restart that happens this much later.</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
