using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;

namespace Handshake.Dynamo.Tests.Streams;

/// <summary>
/// DynamoDB Streams on a fake clock: the TTL sweeper's REMOVE records, iterator expiry, the 24-hour trim and the
/// forgetting of disabled streams, validation, and that tables without a stream write no records. The writes go
/// through the .NET SDK; AWSSDK.DynamoDBv2 4.x no longer carries the Streams client (boto3's is the Streams oracle in
/// Handshake.Clients.Tests), so the Streams calls here are the wire requests that client would send.
/// </summary>
public sealed class StreamsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private DynamoServer _server = null!;
    private AmazonDynamoDBClient _client = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await DynamoServer.StartAsync(new DynamoServerOptions
        {
            // No background sweep: each test sweeps and trims when it means to.
            Store = new DynamoStoreOptions { InMemory = true, Clock = _clock, TimeToLiveSweepInterval = TimeSpan.Zero },
        }).WaitAsync(ServerFixture.Timeout);
        _client = ServerFixture.NewClient(_server.Endpoint);
        _http = new HttpClient { BaseAddress = _server.Endpoint, Timeout = ServerFixture.Timeout };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _server.DisposeAsync().AsTask().WaitAsync(ServerFixture.Timeout);
    }

    internal static AttributeValue S(string s) => new() { S = s };

    internal static async Task<string> CreateStreamedTableAsync(AmazonDynamoDBClient client, string name, string viewType)
    {
        var response = await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = viewType },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(viewType, response.TableDescription.StreamSpecification.StreamViewType.Value);
        return response.TableDescription.LatestStreamArn;
    }

    /// <summary>A DynamoDB Streams request on the store's endpoint; the status and the parsed answer.</summary>
    internal static async Task<(int Status, JsonElement Body)> StreamsAsync(HttpClient http, string operation, object request, string prefix = "DynamoDBStreams_20120810.")
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/");
        message.Headers.TryAddWithoutValidation("X-Amz-Target", prefix + operation);
        message.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        message.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request));
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.0");
        using var response = await http.SendAsync(message).WaitAsync(ServerFixture.Timeout);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    private Task<(int Status, JsonElement Body)> StreamsAsync(string operation, object request) => StreamsAsync(_http, operation, request);

    private async Task<JsonElement> OkAsync(string operation, object request)
    {
        var (status, body) = await StreamsAsync(operation, request);
        Assert.True(status == 200, $"{operation}: {status} {body}");
        return body;
    }

    private static void AssertError(int status, JsonElement body, string type, string message)
    {
        Assert.Equal(400, status);
        Assert.EndsWith("#" + type, body.GetProperty("__type").GetString(), StringComparison.Ordinal);
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    private async Task<string> ShardAsync(string arn) =>
        (await OkAsync("DescribeStream", new { StreamArn = arn })).GetProperty("StreamDescription").GetProperty("Shards")[0].GetProperty("ShardId").GetString()!;

    private async Task<string> IteratorAsync(string arn, string type, string? sequence = null)
    {
        object request = sequence is null
            ? new { StreamArn = arn, ShardId = await ShardAsync(arn), ShardIteratorType = type }
            : new { StreamArn = arn, ShardId = await ShardAsync(arn), ShardIteratorType = type, SequenceNumber = sequence };
        return (await OkAsync("GetShardIterator", request)).GetProperty("ShardIterator").GetString()!;
    }

    private async Task<List<JsonElement>> RecordsAsync(string arn)
    {
        var page = await OkAsync("GetRecords", new { ShardIterator = await IteratorAsync(arn, "TRIM_HORIZON") });
        return [.. page.GetProperty("Records").EnumerateArray()];
    }

    private Task PutAsync(string table, string pk, string? expires = null)
    {
        var item = new Dictionary<string, AttributeValue> { ["pk"] = S(pk) };
        if (expires is not null) item["expires"] = new AttributeValue { N = expires };
        return _client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }).WaitAsync(ServerFixture.Timeout);
    }

    [Fact]
    public async Task TheTimeToLiveSweeperRemovesWithTheServiceAsItsIdentity()
    {
        var arn = await CreateStreamedTableAsync(_client, "ttl-stream", "NEW_AND_OLD_IMAGES");
        await _client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
        {
            TableName = "ttl-stream",
            TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
        }).WaitAsync(ServerFixture.Timeout);
        await PutAsync("ttl-stream", "old", Start.AddSeconds(-5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _client.DeleteItemAsync(new DeleteItemRequest { TableName = "ttl-stream", Key = new() { ["pk"] = S("gone") } }).WaitAsync(ServerFixture.Timeout);
        await PutAsync("ttl-stream", "user");
        await _client.DeleteItemAsync(new DeleteItemRequest { TableName = "ttl-stream", Key = new() { ["pk"] = S("user") } }).WaitAsync(ServerFixture.Timeout);

        Assert.Equal(1, await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout));

        var records = await RecordsAsync(arn);
        Assert.Equal(["INSERT", "INSERT", "REMOVE", "REMOVE"], records.Select(r => r.GetProperty("eventName").GetString()));
        // A user's delete carries no identity; the sweeper's names DynamoDB, as AWS's TTL deletes do.
        Assert.False(records[2].TryGetProperty("userIdentity", out _));
        var ttl = records[3];
        Assert.Equal("""{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}""", ttl.GetProperty("userIdentity").GetRawText());
        Assert.Equal("old", ttl.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
        Assert.Equal("old", ttl.GetProperty("dynamodb").GetProperty("OldImage").GetProperty("pk").GetProperty("S").GetString());
        Assert.False(ttl.GetProperty("dynamodb").TryGetProperty("NewImage", out _));
        Assert.Equal(Start.ToUnixTimeSeconds(), ttl.GetProperty("dynamodb").GetProperty("ApproximateCreationDateTime").GetInt64());
    }

    [Fact]
    public async Task PartiQLWritesAreRecordedLikeTheOperationsTheyStandFor()
    {
        // PartiQL's INSERT, UPDATE and DELETE run the store's own write commands, so they feed the stream too; a
        // cancelled ExecuteTransaction and an UPDATE that changes nothing add no record.
        var arn = await CreateStreamedTableAsync(_client, "partiql-stream", "NEW_AND_OLD_IMAGES");
        Task Execute(string statement) => _client.ExecuteStatementAsync(new ExecuteStatementRequest { Statement = statement }).WaitAsync(ServerFixture.Timeout);
        await Execute("INSERT INTO \"partiql-stream\" VALUE {'pk': 'a', 'n': 1}");
        await Execute("UPDATE \"partiql-stream\" SET n = 2 WHERE pk = 'a'");
        await Execute("UPDATE \"partiql-stream\" SET n = 2 WHERE pk = 'a'");
        await Assert.ThrowsAsync<TransactionCanceledException>(() => _client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements =
            [
                new ParameterizedStatement { Statement = "INSERT INTO \"partiql-stream\" VALUE {'pk': 'b'}" },
                new ParameterizedStatement { Statement = "INSERT INTO \"partiql-stream\" VALUE {'pk': 'a'}" },
            ],
        }).WaitAsync(ServerFixture.Timeout));
        await _client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements = [new ParameterizedStatement { Statement = "INSERT INTO \"partiql-stream\" VALUE {'pk': 'c'}" }],
        }).WaitAsync(ServerFixture.Timeout);
        await Execute("DELETE FROM \"partiql-stream\" WHERE pk = 'a'");

        var records = await RecordsAsync(arn);
        Assert.Equal(["INSERT", "MODIFY", "INSERT", "REMOVE"], records.Select(r => r.GetProperty("eventName").GetString()));
        Assert.Equal(["a", "a", "c", "a"], records.Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()));
        var modify = records[1].GetProperty("dynamodb");
        Assert.Equal("1", modify.GetProperty("OldImage").GetProperty("n").GetProperty("N").GetString());
        Assert.Equal("2", modify.GetProperty("NewImage").GetProperty("n").GetProperty("N").GetString());
        Assert.Equal("2", records[3].GetProperty("dynamodb").GetProperty("OldImage").GetProperty("n").GetProperty("N").GetString());
    }

    [Fact]
    public async Task AnIteratorExpiresFifteenMinutesAfterItWasIssued()
    {
        var arn = await CreateStreamedTableAsync(_client, "expiry", "KEYS_ONLY");
        await PutAsync("expiry", "a");
        var iterator = await IteratorAsync(arn, "TRIM_HORIZON");

        _clock.Advance(TimeSpan.FromMinutes(15));
        var page = await OkAsync("GetRecords", new { ShardIterator = iterator });
        Assert.Equal(1, page.GetProperty("Records").GetArrayLength());
        var next = page.GetProperty("NextShardIterator").GetString();

        _clock.Advance(TimeSpan.FromSeconds(1));
        var (status, body) = await StreamsAsync("GetRecords", new { ShardIterator = iterator });
        AssertError(status, body, "ExpiredIteratorException", "The provided iterator exceeds the maximum age allowed.");
        // The iterator a page returns is a new one: its 15 minutes start with that page.
        await PutAsync("expiry", "b");
        page = await OkAsync("GetRecords", new { ShardIterator = next });
        Assert.Equal("b", page.GetProperty("Records")[0].GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
    }

    [Fact]
    public async Task RecordsOlderThanTwentyFourHoursAreTrimmed()
    {
        var arn = await CreateStreamedTableAsync(_client, "trim", "KEYS_ONLY");
        await PutAsync("trim", "old");
        var oldSequence = (await RecordsAsync(arn))[0].GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;

        _clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout));
        await PutAsync("trim", "young");
        var before = await IteratorAsync(arn, "AT_SEQUENCE_NUMBER", oldSequence);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout));

        Assert.Equal(["young"], (await RecordsAsync(arn)).Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()));
        var (status, body) = await StreamsAsync("GetShardIterator", new { StreamArn = arn, ShardId = await ShardAsync(arn), ShardIteratorType = "AT_SEQUENCE_NUMBER", SequenceNumber = oldSequence });
        AssertError(status, body, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.");
        // An iterator issued before the trim now points at records that are gone.
        (status, body) = await StreamsAsync("GetRecords", new { ShardIterator = before });
        AssertError(status, body, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.");
    }

    [Fact]
    public async Task LatestOnAStreamWhoseRecordsWereAllTrimmedReadsTheNextWrite()
    {
        // A table quiet for more than a day has no records left; a consumer starting at LATEST must still be served
        // (an empty page, then the next write), not refused as if it asked for trimmed data.
        var arn = await CreateStreamedTableAsync(_client, "quiet-latest", "KEYS_ONLY");
        await PutAsync("quiet-latest", "old");
        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout));

        var latest = await IteratorAsync(arn, "LATEST");
        var page = await OkAsync("GetRecords", new { ShardIterator = latest });
        Assert.Empty(page.GetProperty("Records").EnumerateArray());
        await PutAsync("quiet-latest", "new");
        page = await OkAsync("GetRecords", new { ShardIterator = page.GetProperty("NextShardIterator").GetString() });
        Assert.Equal(["new"], page.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()));
    }

    [Fact]
    public async Task TrimmingAnotherStreamsRecordsDoesNotTrimAQuietStream()
    {
        var quiet = await CreateStreamedTableAsync(_client, "quiet", "KEYS_ONLY");
        var busy = await CreateStreamedTableAsync(_client, "busy", "KEYS_ONLY");
        await PutAsync("quiet", "q");
        await PutAsync("busy", "b1");
        var quietSequence = (await RecordsAsync(quiet))[0].GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;

        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(2, await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout));
        await PutAsync("busy", "b2");

        // The quiet stream's reader was past its only record: nothing it has not read is gone, though the store
        // trimmed records numbered after it (the busy stream's).
        var iterator = await IteratorAsync(quiet, "AFTER_SEQUENCE_NUMBER", quietSequence);
        var page = await OkAsync("GetRecords", new { ShardIterator = iterator });
        Assert.Equal(0, page.GetProperty("Records").GetArrayLength());
        await PutAsync("quiet", "q2");
        page = await OkAsync("GetRecords", new { ShardIterator = page.GetProperty("NextShardIterator").GetString() });
        Assert.Equal("q2", page.GetProperty("Records")[0].GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
        // Its trimmed record itself is gone, though.
        var (status, body) = await StreamsAsync("GetShardIterator", new { StreamArn = quiet, ShardId = await ShardAsync(quiet), ShardIteratorType = "AT_SEQUENCE_NUMBER", SequenceNumber = quietSequence });
        AssertError(status, body, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.");
        Assert.Equal(["b2"], (await RecordsAsync(busy)).Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()));
    }

    [Fact]
    public async Task ADisabledStreamIsForgottenTwentyFourHoursLater()
    {
        var arn = await CreateStreamedTableAsync(_client, "forget", "NEW_IMAGE");
        await PutAsync("forget", "a");
        await _client.UpdateTableAsync(new UpdateTableRequest { TableName = "forget", StreamSpecification = new StreamSpecification { StreamEnabled = false } })
            .WaitAsync(ServerFixture.Timeout);

        _clock.Advance(TimeSpan.FromHours(23));
        await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout);
        var description = (await OkAsync("DescribeStream", new { StreamArn = arn })).GetProperty("StreamDescription");
        Assert.Equal("DISABLED", description.GetProperty("StreamStatus").GetString());
        Assert.Single(await RecordsAsync(arn));
        Assert.Equal(arn, (await _client.DescribeTableAsync("forget").WaitAsync(ServerFixture.Timeout)).Table.LatestStreamArn);

        _clock.Advance(TimeSpan.FromHours(2));
        await _server.Store.TrimStreamsAsync().WaitAsync(ServerFixture.Timeout);
        var (status, body) = await StreamsAsync("DescribeStream", new { StreamArn = arn });
        AssertError(status, body, "ResourceNotFoundException", "Requested resource not found: Stream: " + arn + " not found");
        Assert.Equal(0, (await OkAsync("ListStreams", new { })).GetProperty("Streams").GetArrayLength());
        Assert.Equal(0, _server.Store.Read(session => CountRecords(session.Connection)));
    }

    [Fact]
    public async Task ATableDeletedAndCreatedAgainInTheSameMillisecondGetsAStreamOfItsOwn()
    {
        // The clock does not move: the old stream (readable for 24 hours after the delete) and the new one would have
        // the same label, and so the same ARN, if the label were the creation time alone.
        var first = await CreateStreamedTableAsync(_client, "again", "KEYS_ONLY");
        await PutAsync("again", "old");
        await _client.DeleteTableAsync("again").WaitAsync(ServerFixture.Timeout);
        var second = await CreateStreamedTableAsync(_client, "again", "KEYS_ONLY");
        await PutAsync("again", "new");

        Assert.NotEqual(first, second);
        Assert.Equal(second, (await _client.DescribeTableAsync("again").WaitAsync(ServerFixture.Timeout)).Table.LatestStreamArn);
        var old = (await OkAsync("DescribeStream", new { StreamArn = first })).GetProperty("StreamDescription");
        Assert.Equal("DISABLED", old.GetProperty("StreamStatus").GetString());
        Assert.Equal("old", Assert.Single(await RecordsAsync(first)).GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
        Assert.Equal("new", Assert.Single(await RecordsAsync(second)).GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString());
        var streams = (await OkAsync("ListStreams", new { TableName = "again" })).GetProperty("Streams").EnumerateArray()
            .Select(stream => stream.GetProperty("StreamArn").GetString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), streams);
    }

    [Fact]
    public async Task TheShardIsClosedOnlyOnceTheDisableHasCommitted()
    {
        var arn = await CreateStreamedTableAsync(_client, "closing", "KEYS_ONLY");
        await PutAsync("closing", "a");
        Assert.True(_server.Store.Streams.TryGet(arn, out var stream));

        // The window between the writer's apply and its commit, made to stay open: a group that holds the stream's last
        // write and the UpdateTable that disables it has marked the stream disabled, and not yet committed either.
        var ending = LastSequence() + 1;
        stream.DisabledAt = _clock.GetUtcNow();
        stream.EndingSequence = ending;
        try
        {
            var page = await OkAsync("GetRecords", new { ShardIterator = await IteratorAsync(arn, "TRIM_HORIZON") });
            Assert.Single(page.GetProperty("Records").EnumerateArray());
            Assert.True(page.TryGetProperty("NextShardIterator", out _), "the shard was closed before its last record committed");
        }
        finally
        {
            stream.DisabledAt = null;
            stream.EndingSequence = null;
        }

        // Committed, the disable closes the shard once its records are read.
        await _client.UpdateTableAsync(new UpdateTableRequest { TableName = "closing", StreamSpecification = new StreamSpecification { StreamEnabled = false } })
            .WaitAsync(ServerFixture.Timeout);
        var last = await OkAsync("GetRecords", new { ShardIterator = await IteratorAsync(arn, "TRIM_HORIZON") });
        Assert.Single(last.GetProperty("Records").EnumerateArray());
        Assert.False(last.TryGetProperty("NextShardIterator", out _));
    }

    private long LastSequence() => _server.Store.Read(session =>
    {
        using var command = session.Connection.CreateCommand();
        command.CommandText = "SELECT MAX(seq) FROM stream_records";
        return (long)command.ExecuteScalar()!;
    });

    private static long CountRecords(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM stream_records";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task ATableWithoutAStreamWritesNoRecords()
    {
        await SdkItemTests.CreateTableAsync(_client, "plain");
        var arn = await CreateStreamedTableAsync(_client, "streamed", "KEYS_ONLY");
        foreach (var table in new[] { "plain", "streamed" })
        {
            await PutAsync(table, "a");
            await _client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table, Key = new() { ["pk"] = S("a") }, UpdateExpression = "SET v = :v", ExpressionAttributeValues = new() { [":v"] = S("1") },
            }).WaitAsync(ServerFixture.Timeout);
            await _client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = new() { ["pk"] = S("a") } }).WaitAsync(ServerFixture.Timeout);
        }
        Assert.Equal(3, _server.Store.Read(session => CountRecords(session.Connection)));
        Assert.Equal(3, (await RecordsAsync(arn)).Count);
        var plain = (await _client.DescribeTableAsync("plain").WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Null(plain.LatestStreamArn);
        Assert.Null(plain.StreamSpecification);
    }

    [Fact]
    public async Task StreamsOperationsAnswerOnlyUnderTheirOwnTarget()
    {
        var (status, body) = await StreamsAsync(_http, "ListStreams", new { }, prefix: "DynamoDB_20120810.");
        Assert.Equal(400, status);
        Assert.EndsWith("#UnknownOperationException", body.GetProperty("__type").GetString(), StringComparison.Ordinal);
        (status, body) = await StreamsAsync(_http, "ListTables", new { });
        Assert.Equal(400, status);
        Assert.EndsWith("#UnknownOperationException", body.GetProperty("__type").GetString(), StringComparison.Ordinal);
        (status, body) = await StreamsAsync(_http, "DynamoDBStreams_20120810.ListStreams", new { }, prefix: "DynamoDB_20120810.");
        Assert.Equal(400, status);
        Assert.EndsWith("#UnknownOperationException", body.GetProperty("__type").GetString(), StringComparison.Ordinal);
        (status, body) = await StreamsAsync(_http, "ListStreams", new { });
        Assert.Equal(200, status);
        Assert.Equal("""{"Streams":[]}""", body.GetRawText());
    }

    [Fact]
    public async Task StreamSpecificationIsValidatedWithAwsMessages()
    {
        async Task<AmazonDynamoDBException> CreateAsync(StreamSpecification spec) => await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() =>
            _client.CreateTableAsync(new CreateTableRequest
            {
                TableName = "bad", BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
                StreamSpecification = spec,
            }).WaitAsync(ServerFixture.Timeout));

        Assert.Equal("One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified",
            (await CreateAsync(new StreamSpecification { StreamEnabled = false, StreamViewType = "KEYS_ONLY" })).Message);
        Assert.Equal("One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required",
            (await CreateAsync(new StreamSpecification { StreamEnabled = true })).Message);
        Assert.Equal("1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null",
            (await CreateAsync(new StreamSpecification { StreamViewType = "KEYS_ONLY" })).Message);

        // A disabled specification creates a table with no stream.
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = "off", BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            StreamSpecification = new StreamSpecification { StreamEnabled = false },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Null((await _client.DescribeTableAsync("off").WaitAsync(ServerFixture.Timeout)).Table.LatestStreamArn);

        async Task<string> UpdateAsync(UpdateTableRequest request) =>
            (await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => _client.UpdateTableAsync(request).WaitAsync(ServerFixture.Timeout))).Message;
        Assert.Equal("One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required",
            await UpdateAsync(new UpdateTableRequest { TableName = "off", StreamSpecification = new StreamSpecification { StreamEnabled = true } }));
        Assert.Equal("One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified",
            await UpdateAsync(new UpdateTableRequest { TableName = "off", StreamSpecification = new StreamSpecification { StreamEnabled = false, StreamViewType = "NEW_IMAGE" } }));
        Assert.Equal("Table has no stream to disable: TableName: off",
            await UpdateAsync(new UpdateTableRequest { TableName = "off", StreamSpecification = new StreamSpecification { StreamEnabled = false } }));
        Assert.Equal("One or more parameter values were invalid: You cannot modify stream status while updating table IOPS",
            await UpdateAsync(new UpdateTableRequest
            {
                TableName = "off", StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = "KEYS_ONLY" },
                ProvisionedThroughput = new ProvisionedThroughput(5, 5),
            }));

        // Enabling on UpdateTable answers with the new stream at once.
        var updated = await _client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = "off", StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = "OLD_IMAGE" },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.True(updated.TableDescription.StreamSpecification.StreamEnabled);
        Assert.Equal("arn:aws:dynamodb:us-east-1:000000000000:table/off/stream/2026-01-01T00:00:00.000", updated.TableDescription.LatestStreamArn);
        Assert.Equal("2026-01-01T00:00:00.000", updated.TableDescription.LatestStreamLabel);
    }

    [Fact]
    public async Task DescribeStreamPagesItsOneShard()
    {
        var arn = await CreateStreamedTableAsync(_client, "shards", "KEYS_ONLY");
        var shard = await ShardAsync(arn);
        Assert.Matches(@"^shardId-00000001767225600000-[0-9a-f]{8}$", shard);
        var after = (await OkAsync("DescribeStream", new { StreamArn = arn, ExclusiveStartShardId = shard })).GetProperty("StreamDescription");
        Assert.Equal(0, after.GetProperty("Shards").GetArrayLength());
        var (status, body) = await StreamsAsync("DescribeStream", new { StreamArn = arn, Limit = 0 });
        AssertError(status, body, "ValidationException",
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    }
}
