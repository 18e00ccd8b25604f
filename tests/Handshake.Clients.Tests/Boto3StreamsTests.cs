using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class Boto3StreamsRun() : OracleRuns("python3", "dynamodb_streams_boto3.py");

/// <summary>
/// boto3's dynamodbstreams client on the store's endpoint, through tests/clients/dynamodb_streams_boto3.py: records of
/// every kind of write, each view type, the iterator types, paging, disable and re-enable, and the errors.
/// </summary>
public sealed class Boto3StreamsTests(Boto3StreamsRun run) : IClassFixture<Boto3StreamsRun>
{
    [Theory, BothStores]
    public void Every_response_carries_a_correct_crc32_and_no_call_is_retried(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 50, report.StatsText);
        Assert.Equal(0, report.Stat("missing_crc32"));
        Assert.Equal(0, report.Stat("crc_mismatches"));
        Assert.Equal(0, report.Stat("retried_calls"));
    }

    [Theory, BothStores]
    public void Every_answer_matches_botocores_model_of_the_service(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 50, report.StatsText); // the audit saw the answers to real calls, errors included
        Assert.Empty(report.ModelViolations);
    }

    [Theory, BothStores]
    public void The_table_describes_its_stream(StoreMode mode)
    {
        var report = run.For(mode);
        foreach (var table in new[] { JsonAssert.At(report.Value("createTable"), "TableDescription"), JsonAssert.At(report.Value("describeTable"), "Table") })
        {
            JsonAssert.Equal("""{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}""", JsonAssert.At(table, "StreamSpecification"));
            string label = JsonAssert.Text(table, "LatestStreamLabel");
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$", label);
            Assert.Equal("arn:aws:dynamodb:us-east-1:000000000000:table/st-both/stream/" + label, JsonAssert.Text(table, "LatestStreamArn"));
        }
        var description = JsonAssert.At(report.Value("describeStream"), "StreamDescription");
        Assert.Equal("ENABLED", JsonAssert.Text(description, "StreamStatus"));
        Assert.Equal("NEW_AND_OLD_IMAGES", JsonAssert.Text(description, "StreamViewType"));
        Assert.Equal("st-both", JsonAssert.Text(description, "TableName"));
        JsonAssert.Equal("""[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]""", JsonAssert.At(description, "KeySchema"));
        var shard = JsonAssert.At(description, "Shards")[0];
        Assert.Matches(@"^shardId-\d{20}-[0-9a-f]{8}$", JsonAssert.Text(shard, "ShardId"));
        Assert.Matches(@"^\d{21}$", JsonAssert.Text(shard, "SequenceNumberRange.StartingSequenceNumber"));
        JsonAssert.Absent(JsonAssert.At(shard, "SequenceNumberRange"), "EndingSequenceNumber");
        var listed = JsonAssert.At(report.Value("listStreams"), "Streams");
        Assert.Equal(1, listed.GetArrayLength());
        Assert.Equal(JsonAssert.Text(description, "StreamArn"), JsonAssert.Text(listed[0], "StreamArn"));
    }

    [Theory, BothStores]
    public void Each_write_that_changes_an_item_gives_one_record_and_no_op_or_failed_writes_give_none(StoreMode mode)
    {
        var report = run.For(mode);
        report.Error("conditionalPutFails");
        report.Error("cancelledTransaction");
        // Put a, same put (none), overwrite (MODIFY), update-insert b, same update (none), delete of a missing item
        // (none), failed condition (none), delete a, batch (put d, put e, delete b, delete missing), transaction (put f,
        // update d, delete e), cancelled transaction (none).
        JsonAssert.Equal("[" + string.Join(",",
            """{"eventName":"INSERT","Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"1"}}}""",
            """{"eventName":"MODIFY","Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"2"}},"OldImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"1"}}}""",
            """{"eventName":"INSERT","Keys":{"pk":{"S":"b"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"b"},"sk":{"N":"1"},"v":{"S":"x"}}}""",
            """{"eventName":"REMOVE","Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"OldImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"2"}}}""",
            """{"eventName":"INSERT","Keys":{"pk":{"S":"d"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"d"},"sk":{"N":"1"},"v":{"N":"4"}}}""",
            """{"eventName":"INSERT","Keys":{"pk":{"S":"e"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"e"},"sk":{"N":"1"},"v":{"N":"5"}}}""",
            """{"eventName":"REMOVE","Keys":{"pk":{"S":"b"},"sk":{"N":"1"}},"OldImage":{"pk":{"S":"b"},"sk":{"N":"1"},"v":{"S":"x"}}}""",
            """{"eventName":"INSERT","Keys":{"pk":{"S":"f"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"f"},"sk":{"N":"1"},"v":{"N":"6"}}}""",
            """{"eventName":"MODIFY","Keys":{"pk":{"S":"d"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"d"},"sk":{"N":"1"},"v":{"N":"40"}},"OldImage":{"pk":{"S":"d"},"sk":{"N":"1"},"v":{"N":"4"}}}""",
            """{"eventName":"REMOVE","Keys":{"pk":{"S":"e"},"sk":{"N":"1"}},"OldImage":{"pk":{"S":"e"},"sk":{"N":"1"},"v":{"N":"5"}}}""") + "]",
            report.Value("bothSummary"));
    }

    [Theory, BothStores]
    public void Records_carry_AWS_fields_and_increasing_21_digit_sequence_numbers(StoreMode mode)
    {
        var report = run.For(mode);
        var records = report.Value("bothRecords");
        Assert.Equal(10, records.GetArrayLength());
        string? previous = null;
        var ids = new HashSet<string>();
        foreach (var record in records.EnumerateArray())
        {
            Assert.Equal("1.1", JsonAssert.Text(record, "eventVersion"));
            Assert.Equal("aws:dynamodb", JsonAssert.Text(record, "eventSource"));
            Assert.Equal("us-east-1", JsonAssert.Text(record, "awsRegion"));
            Assert.True(ids.Add(JsonAssert.Text(record, "eventID")));
            JsonAssert.Absent(record, "userIdentity");
            Assert.Equal("NEW_AND_OLD_IMAGES", JsonAssert.Text(record, "dynamodb.StreamViewType"));
            Assert.True(JsonAssert.Number(record, "dynamodb.SizeBytes") > 0);
            // boto3 parses ApproximateCreationDateTime as a timestamp: whole seconds, as AWS rounds it.
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", JsonAssert.Text(record, "dynamodb.ApproximateCreationDateTime.$date"));
            string sequence = JsonAssert.Text(record, "dynamodb.SequenceNumber");
            Assert.Matches(@"^\d{21}$", sequence);
            if (previous is not null) Assert.True(string.CompareOrdinal(previous, sequence) < 0, $"{previous} then {sequence}");
            previous = sequence;
        }
        // Read two at a time, the same records come back in the same order.
        JsonAssert.Equal("""{"records":10,"pages":6,"same":true}""", report.Value("bothPagedCount"));
    }

    [Theory, BothStores]
    public void Iterator_types_start_where_AWS_starts_them(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.Equal("MODIFY", JsonAssert.Text(report.Value("atSequence")[0], "eventName"));
        Assert.Equal("INSERT", JsonAssert.Text(report.Value("afterSequence")[0], "eventName"));
        JsonAssert.Equal("""{"S":"b"}""", JsonAssert.At(report.Value("afterSequence")[0], "Keys.pk"));
        JsonAssert.Equal("[]", report.Value("latestBeforeWrite"));
        JsonAssert.Equal("""[{"eventName":"INSERT","Keys":{"pk":{"S":"h"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"h"},"sk":{"N":"1"},"v":{"N":"8"}}}]""",
            report.Value("latestAfterWrite"));
    }

    [Theory, BothStores]
    public void Each_view_type_carries_its_images(StoreMode mode)
    {
        var report = run.For(mode);
        const string K = """{"pk":{"S":"k"}}""";
        const string V1 = """{"pk":{"S":"k"},"v":{"N":"1"}}""";
        const string V2 = """{"pk":{"S":"k"},"v":{"N":"2"}}""";
        // SizeBytes counts the record's keys and images as item bytes: "pk"+"k" is 3, with "v"+1 it is 10.
        JsonAssert.Equal($$"""
            [{"eventName":"INSERT","Keys":{{K}},"StreamViewType":"KEYS_ONLY","SizeBytes":3},
             {"eventName":"MODIFY","Keys":{{K}},"StreamViewType":"KEYS_ONLY","SizeBytes":3},
             {"eventName":"REMOVE","Keys":{{K}},"StreamViewType":"KEYS_ONLY","SizeBytes":3}]
            """, report.Value("view-KEYS_ONLY"));
        JsonAssert.Equal($$"""
            [{"eventName":"INSERT","Keys":{{K}},"NewImage":{{V1}},"StreamViewType":"NEW_IMAGE","SizeBytes":10},
             {"eventName":"MODIFY","Keys":{{K}},"NewImage":{{V2}},"StreamViewType":"NEW_IMAGE","SizeBytes":10},
             {"eventName":"REMOVE","Keys":{{K}},"StreamViewType":"NEW_IMAGE","SizeBytes":3}]
            """, report.Value("view-NEW_IMAGE"));
        JsonAssert.Equal($$"""
            [{"eventName":"INSERT","Keys":{{K}},"StreamViewType":"OLD_IMAGE","SizeBytes":3},
             {"eventName":"MODIFY","Keys":{{K}},"OldImage":{{V1}},"StreamViewType":"OLD_IMAGE","SizeBytes":10},
             {"eventName":"REMOVE","Keys":{{K}},"OldImage":{{V2}},"StreamViewType":"OLD_IMAGE","SizeBytes":10}]
            """, report.Value("view-OLD_IMAGE"));
    }

    [Theory, BothStores]
    public void ListStreams_pages_by_Limit_and_ExclusiveStartStreamArn(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""[["st-both","st-keys-only"],["st-new-image","st-old-image"]]""", report.Value("listStreamsPages"));
    }

    [Theory, BothStores]
    public void A_disabled_stream_stays_readable_and_re_enabling_makes_a_new_one(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("enableAgain"), "ValidationException", "Table already has an enabled stream: TableName: st-cycle");
        AwsErrorAssert.Is(report.Error("disableAgain"), "ValidationException", "Table has no stream to disable: TableName: st-cycle");
        var table = report.Value("describeAfterDisable");
        JsonAssert.Absent(table, "StreamSpecification");
        Assert.Contains("/stream/", JsonAssert.Text(table, "LatestStreamArn"), StringComparison.Ordinal);
        var disabled = report.Value("disabledStream");
        Assert.Equal("DISABLED", JsonAssert.Text(disabled, "StreamStatus"));
        Assert.Matches(@"^\d{21}$", JsonAssert.Text(JsonAssert.At(disabled, "Shards")[0], "SequenceNumberRange.EndingSequenceNumber"));
        // The put while no stream was enabled is in neither stream; the disabled shard is closed after its records.
        JsonAssert.Equal("""{"records":[{"eventName":"INSERT","Keys":{"pk":{"S":"1"}}}],"pages":1,"closed":true}""", report.Value("disabledRecords"));
        JsonAssert.Equal("""{"different":true,"listed":true}""", report.Value("reenabledArns"));
        JsonAssert.Equal("""[{"eventName":"INSERT","Keys":{"pk":{"S":"3"}},"NewImage":{"pk":{"S":"3"}}}]""", report.Value("reenabledRecords"));
        // DeleteTable leaves the stream DISABLED and its records readable.
        Assert.Equal("DISABLED", report.Value("streamAfterDeleteTable").GetString());
        JsonAssert.Equal("""[{"eventName":"INSERT","Keys":{"pk":{"S":"3"}},"NewImage":{"pk":{"S":"3"}}}]""", report.Value("recordsAfterDeleteTable"));
    }

    [Theory, BothStores]
    public void Errors_map_to_the_modeled_exceptions(StoreMode mode)
    {
        var report = run.For(mode);
        const string Missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000";
        AwsErrorAssert.Is(report.Error("createWithoutViewType"), "ValidationException",
            "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required");
        AwsErrorAssert.Is(report.Error("badViewType"), "ValidationException",
            "1 validation error detected: Value 'ALL' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
        AwsErrorAssert.Is(report.Error("describeShortArn"), "ValidationException",
            "1 validation error detected: Value 'fake-stream' at 'streamArn' failed to satisfy constraint: Member must have length greater than or equal to 37");
        var missing = report.Error("describeMissing");
        AwsErrorAssert.Is(missing, "ResourceNotFoundException", "Requested resource not found: Stream: " + Missing + " not found");
        Assert.Equal("ResourceNotFoundException", missing.Name);
        AwsErrorAssert.Is(report.Error("iteratorMissingStream"), "ResourceNotFoundException", "Requested resource not found: Stream: " + Missing + " not found");
        AwsErrorAssert.Is(report.Error("iteratorWrongShard"), "ResourceNotFoundException", "Requested resource not found: Shard does not exist");
        AwsErrorAssert.Is(report.Error("iteratorNoSequence"), "ValidationException",
            "Must specify a sequence number for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER iterator types");
        AwsErrorAssert.Is(report.Error("badIterator"), "ValidationException", "Invalid ShardIterator");
        AwsErrorAssert.Is(report.Error("tamperedIterator"), "ValidationException", "Invalid ShardIterator");
        AwsErrorAssert.Is(report.Error("limitTooLarge"), "ValidationException",
            "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
    }
}
