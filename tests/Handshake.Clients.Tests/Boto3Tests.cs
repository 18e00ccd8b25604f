using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class Boto3Run() : OracleRuns("python3", "dynamodb_boto3.py");

/// <summary>boto3, client and resource APIs, through tests/clients/dynamodb_boto3.py.</summary>
public sealed class Boto3Tests(Boto3Run run) : IClassFixture<Boto3Run>
{
    [Theory, BothStores]
    public void Every_response_carries_a_correct_crc32_and_no_call_is_retried(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 50, report.StatsText);
        Assert.Equal(0, report.Stat("missing_crc32"));
        Assert.Equal(0, report.Stat("crc_mismatches"));
        Assert.Equal(0, report.Stat("missing_request_id"));
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
    public void Tables_are_created_waited_for_paged_updated_and_deleted(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.Equal("py-items", JsonAssert.Text(report.Value("createTable"), "TableDescription.TableName"));
        report.Value("waitTableExists");
        JsonAssert.Equal("""{"pages":[["py-a"],["py-b"],["py-items"]]}""", report.Value("listTablesPaginated"));
        var updated = JsonAssert.At(report.Value("describeAfterUpdate"), "Table");
        Assert.Equal(9, JsonAssert.Number(updated, "ProvisionedThroughput.ReadCapacityUnits"));
        Assert.Equal(4, JsonAssert.Number(updated, "ProvisionedThroughput.WriteCapacityUnits"));
        Assert.Equal("ACTIVE", JsonAssert.Text(updated, "TableStatus"));
        report.Value("waitTableNotExists");
        JsonAssert.Equal("""{"TableNames":["py-a","py-items"]}""", report.Value("listTablesAfterDelete"));
    }

    [Theory, BothStores]
    public void Errors_map_to_the_modeled_exceptions(StoreMode mode)
    {
        var report = run.For(mode);
        AssertModeled(report.Error("createTableAgain"), "ResourceInUseException", "Table already exists: py-items");
        AssertModeled(report.Error("describeMissingTable"), "ResourceNotFoundException", "Requested resource not found: Table: py-missing not found");
        AssertModeled(report.Error("deleteMissingTable"), "ResourceNotFoundException", "Requested resource not found: Table: py-b not found");
        AssertModeled(report.Error("getMissingTable"), "ResourceNotFoundException", "Requested resource not found");
        AssertModeled(report.Error("putConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        AssertModeled(report.Error("deleteConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        AssertModeled(report.Error("resourceConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        AwsErrorAssert.Is(report.Error("putMissingKey"), "ValidationException", "One or more parameter values were invalid: Missing the key id in the item");
        AwsErrorAssert.Is(report.Error("number39Digits"), "ValidationException", "Attempting to store more than 38 significant digits in a Number");
        AwsErrorAssert.Contains(report.Error("batchWrite26"), "ValidationException", "Member must have length less than or equal to 25");
        AwsErrorAssert.Contains(report.Error("batchGet101"), "ValidationException", "100");
        AwsErrorAssert.Is(report.Error("batchWriteDuplicates"), "ValidationException", "Provided list of item keys contains duplicates");
    }

    [Theory, BothStores]
    public void Client_items_round_trip_with_ALL_OLD_projection_and_capacity(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("{}", report.Value("putNew"));
        JsonAssert.Equal(
            """{"Attributes":{"id":{"S":"a"},"v":{"N":"1"}},"ConsumedCapacity":{"TableName":"py-items","CapacityUnits":1.0}}""",
            JsonAssert.FoldUnitBreakdown(report.Value("putOverwrite")));
        JsonAssert.Equal(
            """{"Item":{"v":{"N":"2"}},"ConsumedCapacity":{"TableName":"py-items","CapacityUnits":1.0}}""", JsonAssert.FoldUnitBreakdown(report.Value("getProjected")));
        JsonAssert.Equal("""{"Attributes":{"id":{"S":"a"},"v":{"N":"2"}}}""", report.Value("deleteAllOld"));
        JsonAssert.Equal("""{"Item":{"k":{"N":"1000"},"v":{"N":"0"}}}""", report.Value("numberKeyGet"));
    }

    [Theory, BothStores]
    public void Resource_api_round_trips_decimals_binary_and_sets(StoreMode mode)
    {
        var report = run.For(mode);
        report.Value("resourcePut");
        var allBytes = new byte[256];
        for (var i = 0; i < allBytes.Length; i++)
        {
            allBytes[i] = (byte)i;
        }

        JsonAssert.Equal(
            """
            {"Item":{"id":"r1","n":{"$decimal":"1000"},"f":{"$decimal":"0.1"},"bin":{"$binary":"ALL_BYTES"},
             "empty":{"$binary":""},"ss":{"$set":["x","y"]},"ns":{"$set":[{"$decimal":"1"},{"$decimal":"2.5"}]},
             "bs":{"$set":[{"$binary":"/w=="},{"$binary":"AA=="}]},"m":{"l":[{"$decimal":"1"},"two",null,true]}}}
            """.Replace("ALL_BYTES", Convert.ToBase64String(allBytes), StringComparison.Ordinal),
            report.Value("resourceGet"));
        JsonAssert.Equal("""{"Item":{"n":{"$decimal":"1000"},"ss":{"$set":["x","y"]}}}""", report.Value("resourceGetProjected"));
        report.Value("resourceConditionOk");
        JsonAssert.Equal("""{"Attributes":{"id":"r2"}}""", report.Value("resourceDelete"));
    }

    [Theory, BothStores]
    public void Batch_writer_and_batch_get_move_many_items(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"written":60}""", report.Value("resourceBatchWriter"));
        JsonAssert.Equal("""{"count":60}""", report.Value("batchGet100"));
    }

    [Theory, BothStores]
    public void Batch_get_by_table_arn_answers_under_the_arn(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal(
            """{"items":[{"id":{"S":"arn-1"}}],"tables":["arn:aws:dynamodb:us-east-1:000000000000:table/py-items"]}""",
            report.Value("batchGetByArn"));
    }

    [Theory, BothStores]
    public void Resource_table_attributes_and_waiters_work(StoreMode mode)
    {
        var report = run.For(mode);
        var table = report.Value("resourceTableAttributes");
        Assert.Equal("ACTIVE", JsonAssert.Text(table, "status"));
        Assert.Equal("arn:aws:dynamodb:us-east-1:000000000000:table/py-items", JsonAssert.Text(table, "arn"));
        Assert.Equal("PAY_PER_REQUEST", JsonAssert.Text(table, "billing.BillingMode"));
        Assert.Equal("CREATING", JsonAssert.Text(report.Value("resourceCreateTable"), "status"));
        JsonAssert.Equal("""{"deleted":true}""", report.Value("resourceWaitAndDelete"));
    }

    [Theory, BothStores]
    public void Tags_ttl_limits_and_endpoints_answer(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Tags":[{"Key":"owner","Value":"oracle"}]}""", report.Value("listTags"));
        JsonAssert.Equal("""{"Tags":[]}""", report.Value("listTagsAfterUntag"));
        JsonAssert.Equal("""{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}""", report.Value("updateTtl"));
        Assert.Equal("exp", JsonAssert.Text(report.Value("describeTtl"), "TimeToLiveDescription.AttributeName"));
        Assert.Equal(40000, JsonAssert.Number(report.Value("describeLimits"), "TableMaxReadCapacityUnits"));
        Assert.Equal(1440, JsonAssert.Number(JsonAssert.At(report.Value("describeEndpoints"), "Endpoints")[0], "CachePeriodInMinutes"));
    }

    [Theory, BothStores]
    public void PartiQL_statements_batches_and_transactions_run(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Items":[]}""", report.Value("partiqlInsert"));
        AssertModeled(report.Error("partiqlInsertDuplicate"), "DuplicateItemException", "Duplicate primary key exists in table");
        JsonAssert.Equal("""{"Items":[{"id":{"S":"pq-1"},"n":{"N":"5"},"tags":{"SS":["a","b"]}}]}""",
            report.Value("partiqlUpdateReturning"));
        AssertModeled(report.Error("partiqlUpdateMissing"), "ConditionalCheckFailedException", "The conditional request failed");
        AwsErrorAssert.Is(report.Error("partiqlMalformed"), "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected end of statement");
        JsonAssert.Equal("""{"Items":[{"n":{"N":"5"},"tags":{"SS":["a","b"]}}],"ConsumedCapacity":{"TableName":"py-items","CapacityUnits":1.0}}""",
            JsonAssert.FoldUnitBreakdown(report.Value("partiqlSelectKey")));
        var pages = report.Value("partiqlScanPages");
        JsonAssert.Equal("""["bw-50","bw-51","bw-52","bw-53","bw-54","bw-55","bw-56","bw-57","bw-58","bw-59"]""", JsonAssert.At(pages, "ids"));
        Assert.True(JsonAssert.Number(pages, "pages") > 1);
        JsonAssert.Equal(
            """{"Responses":[{"TableName":"py-items"},{"Error":{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"}},"""
            + """{"Error":{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}}]}""",
            report.Value("partiqlBatch"));
        AwsErrorAssert.Is(report.Error("partiqlBatchMixed"), "ValidationException", "Read and write requests together in the same batch is not supported.");
        JsonAssert.Equal("""{"Responses":[{},{},{}]}""", report.Value("partiqlTransaction"));
        JsonAssert.Equal(
            """{"reasons":[{"Code":"None"},{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"}],"nAfter":"100"}""",
            report.Value("partiqlTransactionCancelled"));
    }

    private static void AssertModeled(OracleError error, string type, string message)
    {
        // botocore raises the modeled exception class (client.exceptions.X) only when it recognises the error code.
        Assert.Equal(type, error.Name);
        Assert.Equal(type, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(400, error.Status);
    }
}
