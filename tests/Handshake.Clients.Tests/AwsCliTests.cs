using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

/// <summary>
/// Runs the AWS CLI (v1, on the machine) once per command against a durable store, in order, and keeps every result.
/// Half-way the store is restarted on the same data directory, so the CLI also reads back what it wrote before.
/// The whole sequence runs once and the tests assert on its results.
/// </summary>
public sealed partial class AwsCliRun : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, OracleProcessResult> results = [];
    private StoreUnderTest? store;

    public OracleProcessResult this[string step] =>
        results.TryGetValue(step, out var result) ? result : throw new InvalidOperationException($"no CLI step {step}");

    public async Task InitializeAsync()
    {
        store = await StoreUnderTest.StartAsync(StoreMode.Durable);
        var batchFile = Path.GetTempFileName();
        try
        {
            await StepsAsync(batchFile);
        }
        finally
        {
            File.Delete(batchFile);
        }
    }

    public async Task DisposeAsync()
    {
        if (store is not null)
        {
            await store.DisposeAsync();
        }
    }

    public static JsonElement Json(OracleProcessResult result)
    {
        Assert.True(result.ExitCode == 0, $"aws exited {result.ExitCode}: {result.StandardError}");
        if (string.IsNullOrWhiteSpace(result.StandardOutput))
        {
            return JsonDocument.Parse("{}").RootElement.Clone();
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }

    /// <summary>The CLI prints "An error occurred (Code) when calling the Op operation: message" and exits non-zero.</summary>
    public static (string Code, string Message) Error(OracleProcessResult result)
    {
        Assert.NotEqual(0, result.ExitCode);
        var match = CliError().Match(result.StandardError);
        Assert.True(match.Success, $"no AWS error in stderr: {result.StandardError}");
        return (match.Groups["code"].Value, match.Groups["message"].Value.TrimEnd());
    }

    private async Task StepsAsync(string batchFile)
    {
        await Aws("createTable", "create-table", "--table-name", "cli-items", "--billing-mode", "PAY_PER_REQUEST",
            "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH");
        await Aws("waitTableExists", "wait", "table-exists", "--table-name", "cli-items");
        await Aws("createNumbersTable", "create-table", "--table-name", "cli-numbers",
            "--provisioned-throughput", "ReadCapacityUnits=1,WriteCapacityUnits=1",
            "--attribute-definitions", "AttributeName=k,AttributeType=N", "--key-schema", "AttributeName=k,KeyType=HASH");
        await Aws("listTablesAllPages", "list-tables", "--page-size", "1");
        await Aws("listTablesFirstItem", "list-tables", "--max-items", "1");
        await Aws("putNew", "put-item", "--table-name", "cli-items", "--item", """{"id":{"S":"a"},"v":{"N":"007"},"b":{"B":"AAH/"}}""",
            "--return-values", "ALL_OLD", "--return-consumed-capacity", "TOTAL");
        await Aws("putOverwrite", "put-item", "--table-name", "cli-items", "--item", """{"id":{"S":"a"},"v":{"N":"8"},"b":{"B":"AAH/"}}""",
            "--return-values", "ALL_OLD");
        await Aws("putConditionFailed", "put-item", "--table-name", "cli-items", "--item", """{"id":{"S":"a"}}""",
            "--condition-expression", "attribute_not_exists(id)");
        await Aws("getProjected", "get-item", "--table-name", "cli-items", "--key", """{"id":{"S":"a"}}""",
            "--consistent-read", "--projection-expression", "v, b", "--return-consumed-capacity", "TOTAL");
        await Aws("putNumberKey", "put-item", "--table-name", "cli-numbers", "--item", """{"k":{"N":"1e3"},"s":{"NS":["1.50","2"]}}""");
        await Aws("getNumberKey", "get-item", "--table-name", "cli-numbers", "--key", """{"k":{"N":"1000"}}""", "--consistent-read");
        var puts = new List<object>();
        for (var i = 0; i < 25; i++)
        {
            puts.Add(new { PutRequest = new { Item = new { id = new { S = $"batch-{i:D2}" } } } });
        }

        await File.WriteAllTextAsync(batchFile, JsonSerializer.Serialize(new Dictionary<string, object> { ["cli-items"] = puts }));
        await Aws("batchWrite25", "batch-write-item", "--request-items", "file://" + batchFile);
        await Aws("batchGet", "batch-get-item", "--request-items",
            """{"cli-items":{"Keys":[{"id":{"S":"batch-00"}},{"id":{"S":"batch-24"}},{"id":{"S":"none"}}],"ProjectionExpression":"id"}}""");
        await Aws("pqInsert", "execute-statement", "--statement", "INSERT INTO \"cli-items\" VALUE {'id': 'pq', 'n': 1, 'l': [1, 'a']}");
        await Aws("pqInsertDuplicate", "execute-statement", "--statement", "INSERT INTO \"cli-items\" VALUE {'id': 'pq'}");
        await Aws("pqSelect", "execute-statement", "--statement", "SELECT n, l[1] FROM \"cli-items\" WHERE id = ?", "--parameters", """[{"S":"pq"}]""",
            "--consistent-read");
        await Aws("pqBatch", "batch-execute-statement", "--statements",
            """[{"Statement":"UPDATE \"cli-items\" SET n = n + 1 WHERE id = 'pq'"},{"Statement":"UPDATE \"cli-items\" SET n = 1 WHERE id = 'pq-none'"}]""");
        await Aws("pqTransactionCancelled", "execute-transaction", "--transact-statements",
            """[{"Statement":"UPDATE \"cli-items\" SET n = 50 WHERE id = 'pq'"},{"Statement":"INSERT INTO \"cli-items\" VALUE {'id': 'a'}"}]""");
        await Aws("pqAfterTransaction", "execute-statement", "--statement", "SELECT n FROM \"cli-items\" WHERE id = 'pq'");
        await Aws("deleteAllOld", "delete-item", "--table-name", "cli-items", "--key", """{"id":{"S":"batch-00"}}""", "--return-values", "ALL_OLD");
        await Aws("deleteConditionFailed", "delete-item", "--table-name", "cli-items", "--key", """{"id":{"S":"batch-00"}}""",
            "--condition-expression", "attribute_exists(id)");
        var arn = Json(await Aws("describeTable", "describe-table", "--table-name", "cli-items")).GetProperty("Table").GetProperty("TableArn").GetString()!;
        await Aws("tagResource", "tag-resource", "--resource-arn", arn, "--tags", "Key=owner,Value=cli");
        await Aws("listTags", "list-tags-of-resource", "--resource-arn", arn);
        await Aws("updateTtl", "update-time-to-live", "--table-name", "cli-items", "--time-to-live-specification", "Enabled=true,AttributeName=expiry");
        await Aws("describeTtl", "describe-time-to-live", "--table-name", "cli-items");
        await Aws("describeLimits", "describe-limits");
        await Aws("describeEndpoints", "describe-endpoints");
        await Aws("updateTable", "update-table", "--table-name", "cli-numbers", "--billing-mode", "PAY_PER_REQUEST");
        await Aws("describeMissingTable", "describe-table", "--table-name", "cli-missing");
        await Aws("enableStream", "update-table", "--table-name", "cli-items", "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES");
        await Aws("putStreamed", "put-item", "--table-name", "cli-items", "--item", """{"id":{"S":"streamed"},"v":{"N":"1"}}""");

        await store!.RestartAsync();
        await Aws("getAfterRestart", "get-item", "--table-name", "cli-items", "--key", """{"id":{"S":"a"}}""", "--consistent-read");
        await Aws("listTagsAfterRestart", "list-tags-of-resource", "--resource-arn", arn);
        await Aws("describeAfterRestart", "describe-table", "--table-name", "cli-numbers");
        await Aws("deleteTable", "delete-table", "--table-name", "cli-numbers");
        await Aws("waitTableNotExists", "wait", "table-not-exists", "--table-name", "cli-numbers");
        await Aws("listTablesAfterDelete", "list-tables");

        // DynamoDB Streams through `aws dynamodbstreams` on the same --endpoint-url, after the restart.
        var streamArn = JsonAssert.Text(JsonAssert.At(Json(await Aws("listStreams", "..dynamodbstreams", "list-streams", "--table-name", "cli-items")), "Streams")[0], "StreamArn");
        var shard = JsonAssert.Text(JsonAssert.At(Json(await Aws("describeStream", "..dynamodbstreams", "describe-stream", "--stream-arn", streamArn)),
            "StreamDescription.Shards")[0], "ShardId");
        var iterator = JsonAssert.Text(Json(await Aws("getShardIterator", "..dynamodbstreams", "get-shard-iterator", "--stream-arn", streamArn,
            "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")), "ShardIterator");
        await Aws("getRecords", "..dynamodbstreams", "get-records", "--shard-iterator", iterator);
    }

    private async Task<OracleProcessResult> Aws(string step, params string[] arguments)
    {
        // A first argument "..dynamodbstreams" names the other service of the same endpoint.
        string[] command = arguments[0] == "..dynamodbstreams"
            ? ["dynamodbstreams", .. arguments[1..], "--endpoint-url", store!.Endpoint, "--output", "json", "--region", "us-east-1"]
            : ["dynamodb", .. arguments, "--endpoint-url", store!.Endpoint, "--output", "json", "--region", "us-east-1"];
        var result = await OracleProcess.RunAwsCliAsync(command, CommandTimeout);
        results.Add(step, result);
        return result;
    }

    [GeneratedRegex(@"An error occurred \((?<code>[A-Za-z]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (?<message>.*)", RegexOptions.Singleline)]
    private static partial Regex CliError();
}

/// <summary>The AWS CLI (v1) against the store, with an isolated environment and --endpoint-url.</summary>
public sealed class AwsCliTests(AwsCliRun run) : IClassFixture<AwsCliRun>
{
    [Fact]
    public void Tables_are_created_listed_waited_for_updated_and_deleted()
    {
        Assert.Equal("CREATING", JsonAssert.Text(AwsCliRun.Json(run["createTable"]), "TableDescription.TableStatus"));
        AwsCliRun.Json(run["waitTableExists"]);
        JsonAssert.Equal("""{"TableNames":["cli-items","cli-numbers"]}""", AwsCliRun.Json(run["listTablesAllPages"]));
        var first = AwsCliRun.Json(run["listTablesFirstItem"]);
        JsonAssert.Equal("""["cli-items"]""", JsonAssert.At(first, "TableNames"));
        Assert.False(string.IsNullOrEmpty(JsonAssert.Text(first, "NextToken")));
        Assert.Equal("PAY_PER_REQUEST", JsonAssert.Text(AwsCliRun.Json(run["updateTable"]), "TableDescription.BillingModeSummary.BillingMode"));
        Assert.Equal("DELETING", JsonAssert.Text(AwsCliRun.Json(run["deleteTable"]), "TableDescription.TableStatus"));
        AwsCliRun.Json(run["waitTableNotExists"]);
        JsonAssert.Equal("""{"TableNames":["cli-items"]}""", AwsCliRun.Json(run["listTablesAfterDelete"]));
    }

    [Fact]
    public void Items_round_trip_with_ALL_OLD_projection_capacity_and_canonical_numbers()
    {
        JsonAssert.Equal("""{"ConsumedCapacity":{"TableName":"cli-items","CapacityUnits":1.0}}""", JsonAssert.FoldUnitBreakdown(AwsCliRun.Json(run["putNew"])));
        JsonAssert.Equal("""{"Attributes":{"id":{"S":"a"},"v":{"N":"7"},"b":{"B":"QUFILw=="}}}""", AwsCliRun.Json(run["putOverwrite"]));
        JsonAssert.Equal(
            """{"Item":{"v":{"N":"8"},"b":{"B":"QUFILw=="}},"ConsumedCapacity":{"TableName":"cli-items","CapacityUnits":1.0}}""",
            JsonAssert.FoldUnitBreakdown(AwsCliRun.Json(run["getProjected"])));
        var number = JsonAssert.SortArrays(AwsCliRun.Json(run["getNumberKey"]), "Item.s.NS");
        JsonAssert.Equal("""{"Item":{"k":{"N":"1000"},"s":{"NS":["1.5","2"]}}}""", number);
        JsonAssert.Equal("""{"Attributes":{"id":{"S":"batch-00"}}}""", AwsCliRun.Json(run["deleteAllOld"]));
    }

    [Fact]
    public void Errors_carry_the_aws_codes_and_messages()
    {
        Assert.Equal(("ConditionalCheckFailedException", "The conditional request failed"), AwsCliRun.Error(run["putConditionFailed"]));
        Assert.Equal(("ConditionalCheckFailedException", "The conditional request failed"), AwsCliRun.Error(run["deleteConditionFailed"]));
        Assert.Equal(("ResourceNotFoundException", "Requested resource not found: Table: cli-missing not found"),
            AwsCliRun.Error(run["describeMissingTable"]));
    }

    [Fact]
    public void Batches_write_and_read()
    {
        JsonAssert.Equal("""{"UnprocessedItems":{}}""", AwsCliRun.Json(run["batchWrite25"]));
        var get = AwsCliRun.Json(run["batchGet"]);
        JsonAssert.Equal("""[{"id":{"S":"batch-00"}},{"id":{"S":"batch-24"}}]""", JsonAssert.SortArrays(get, "Responses.cli-items").GetProperty("Responses").GetProperty("cli-items"));
        JsonAssert.Equal("{}", JsonAssert.At(get, "UnprocessedKeys"));
    }

    [Fact]
    public void PartiQL_statements_batches_and_transactions_run()
    {
        JsonAssert.Equal("""{"Items":[]}""", AwsCliRun.Json(run["pqInsert"]));
        Assert.Equal(("DuplicateItemException", "Duplicate primary key exists in table"), AwsCliRun.Error(run["pqInsertDuplicate"]));
        JsonAssert.Equal("""{"Items":[{"n":{"N":"1"},"l":{"L":[{"S":"a"}]}}]}""", AwsCliRun.Json(run["pqSelect"]));
        JsonAssert.Equal(
            """{"Responses":[{"TableName":"cli-items"},{"Error":{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}}]}""",
            AwsCliRun.Json(run["pqBatch"]));
        Assert.Equal(
            ("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem]"),
            AwsCliRun.Error(run["pqTransactionCancelled"]));
        JsonAssert.Equal("""{"Items":[{"n":{"N":"2"}}]}""", AwsCliRun.Json(run["pqAfterTransaction"]));
    }

    [Fact]
    public void Tags_ttl_limits_and_endpoints_answer()
    {
        JsonAssert.Equal("""{"Tags":[{"Key":"owner","Value":"cli"}]}""", AwsCliRun.Json(run["listTags"]));
        JsonAssert.Equal("""{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expiry"}}""", AwsCliRun.Json(run["updateTtl"]));
        Assert.Equal("expiry", JsonAssert.Text(AwsCliRun.Json(run["describeTtl"]), "TimeToLiveDescription.AttributeName"));
        Assert.Equal(80000, JsonAssert.Number(AwsCliRun.Json(run["describeLimits"]), "AccountMaxReadCapacityUnits"));
        Assert.Equal(1440, JsonAssert.Number(JsonAssert.At(AwsCliRun.Json(run["describeEndpoints"]), "Endpoints")[0], "CachePeriodInMinutes"));
    }

    [Fact]
    public void A_stream_enabled_by_update_table_is_read_back_after_a_restart()
    {
        var table = JsonAssert.At(AwsCliRun.Json(run["enableStream"]), "TableDescription");
        JsonAssert.Equal("""{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}""", JsonAssert.At(table, "StreamSpecification"));
        var streams = JsonAssert.At(AwsCliRun.Json(run["listStreams"]), "Streams");
        Assert.Equal(1, streams.GetArrayLength());
        Assert.Equal(JsonAssert.Text(table, "LatestStreamArn"), JsonAssert.Text(streams[0], "StreamArn"));
        Assert.Equal("ENABLED", JsonAssert.Text(AwsCliRun.Json(run["describeStream"]), "StreamDescription.StreamStatus"));
        var records = JsonAssert.At(AwsCliRun.Json(run["getRecords"]), "Records");
        Assert.Equal(1, records.GetArrayLength());
        Assert.Equal("INSERT", JsonAssert.Text(records[0], "eventName"));
        JsonAssert.Equal("""{"id":{"S":"streamed"}}""", JsonAssert.At(records[0], "dynamodb.Keys"));
        JsonAssert.Equal("""{"id":{"S":"streamed"},"v":{"N":"1"}}""", JsonAssert.At(records[0], "dynamodb.NewImage"));
    }

    [Fact]
    public void Items_tags_and_tables_survive_a_restart_of_the_durable_store()
    {
        // AWS CLI v1 takes blob text on the command line as raw bytes, so "AAH/" went in as those four bytes and comes back base64.
        JsonAssert.Equal("""{"Item":{"id":{"S":"a"},"v":{"N":"8"},"b":{"B":"QUFILw=="}}}""", AwsCliRun.Json(run["getAfterRestart"]));
        JsonAssert.Equal("""{"Tags":[{"Key":"owner","Value":"cli"}]}""", AwsCliRun.Json(run["listTagsAfterRestart"]));
        var table = JsonAssert.At(AwsCliRun.Json(run["describeAfterRestart"]), "Table");
        Assert.Equal("PAY_PER_REQUEST", JsonAssert.Text(table, "BillingModeSummary.BillingMode"));
        JsonAssert.Equal("""[{"AttributeName":"k","KeyType":"HASH"}]""", JsonAssert.At(table, "KeySchema"));
    }
}
