using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class NodeSdkV3Run() : OracleRuns("node", "dynamodb-v3.js");

/// <summary>@aws-sdk/client-dynamodb v3 and @aws-sdk/lib-dynamodb, through tests/clients/dynamodb-v3.js.</summary>
public sealed class NodeSdkV3Tests(NodeSdkV3Run run) : IClassFixture<NodeSdkV3Run>
{
    [Theory, BothStores]
    public void Every_response_carries_a_correct_crc32_and_no_call_is_retried(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 50, report.StatsText);
        Assert.True(report.Stat("responses") >= report.Stat("calls"), report.StatsText);
        Assert.Equal(0, report.Stat("missingCrc32"));
        Assert.Equal(0, report.Stat("crcMismatches"));
        Assert.Equal(0, report.Stat("missingRequestId"));
        Assert.Equal(0, report.Stat("retriedCalls"));
        Assert.Equal(0, report.Stat("unmodeledErrors"));
    }

    [Theory, BothStores]
    public void Waiters_and_the_ListTables_paginator_work(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"state":"SUCCESS"}""", report.Value("waitUntilTableExists"));
        JsonAssert.Equal("""{"pages":[["v3-a","v3-b"],["v3-c","v3-items"]]}""", report.Value("paginateListTables"));
        Assert.Equal("DELETING", JsonAssert.Text(report.Value("deleteTable"), "TableDescription.TableStatus"));
        JsonAssert.Equal("""{"state":"SUCCESS"}""", report.Value("waitUntilTableNotExists"));
        JsonAssert.Equal("""{"TableNames":["v3-a","v3-b","v3-items"]}""", report.Value("listTablesAfterDelete"));
    }

    [Theory, BothStores]
    public void Errors_are_the_modeled_exception_classes(StoreMode mode)
    {
        var report = run.For(mode);
        AssertModeled(report.Error("createTableAgain"), "ResourceInUseException", "Table already exists: v3-items");
        AssertModeled(report.Error("describeDeletedTable"), "ResourceNotFoundException", "Requested resource not found: Table: v3-c not found");
        AssertModeled(report.Error("getMissingTable"), "ResourceNotFoundException", "Requested resource not found");
        AssertModeled(report.Error("batchGetMissingTable"), "ResourceNotFoundException", "Requested resource not found");
        AssertModeled(report.Error("putConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        AssertModeled(report.Error("deleteConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        AssertModeled(report.Error("docConditionFailed"), "ConditionalCheckFailedException", "The conditional request failed");
        var missing = report.Error("updateMissingTable");
        Assert.Equal("ResourceNotFoundException", missing.Class);
        Assert.Equal(400, missing.Status);
        var tagMissing = report.Error("tagMissingTable");
        Assert.Equal("ResourceNotFoundException", tagMissing.Class);
    }

    [Theory, BothStores]
    public void PartiQL_runs_through_the_document_client(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Items":[]}""", report.Value("docStatementInsert"));
        AssertModeled(report.Error("docStatementDuplicate"), "DuplicateItemException", "Duplicate primary key exists in table");
        JsonAssert.Equal("""{"Items":[{"pk":"pq","n":5,"tags":{"$set":["x"]}}]}""", report.Value("docStatementSelect"));
        JsonAssert.Equal(
            """{"Responses":[{"TableName":"v3-items"},{"Error":{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}}]}""",
            report.Value("docBatchStatements"));
        var cancelled = report.Error("docTransactionCancelled");
        Assert.Equal("TransactionCanceledException", cancelled.Class);
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]", cancelled.Message);
        JsonAssert.Equal("""{"Items":[{"n":15}]}""", report.Value("docStatementAfter"));
    }

    [Theory, BothStores]
    public void Table_validation_messages_match_aws(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("createTableProvisionedWithoutThroughput"), "ValidationException",
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        AwsErrorAssert.Is(report.Error("updateThroughputOnPayPerRequest"), "ValidationException",
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        Assert.Equal("ValidationException", report.Error("putReturnValuesAllNew").Code);
    }

    [Theory, BothStores]
    public void UpdateTable_to_pay_per_request_shows_in_DescribeTable(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.Equal("PROVISIONED", JsonAssert.Text(report.Value("describeTable"), "Table.BillingModeSummary.BillingMode"));
        Assert.Equal(1, JsonAssert.Number(report.Value("describeTable"), "Table.ProvisionedThroughput.ReadCapacityUnits"));
        JsonAssert.Equal("""{"state":"SUCCESS"}""", report.Value("waitAfterUpdate"));
        var table = JsonAssert.At(report.Value("describeAfterUpdate"), "Table");
        Assert.Equal("PAY_PER_REQUEST", JsonAssert.Text(table, "BillingModeSummary.BillingMode"));
        Assert.Equal("ACTIVE", JsonAssert.Text(table, "TableStatus"));
    }

    [Theory, BothStores]
    public void Items_put_get_delete_with_ALL_OLD_projection_and_capacity(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal(
            """{"ConsumedCapacity":{"TableName":"v3-items","CapacityUnits":1,"Table":{"CapacityUnits":1}}}""", JsonAssert.FoldUnitBreakdown(report.Value("putNew")));
        JsonAssert.Equal("""{"Attributes":{"pk":{"S":"k1"},"v":{"S":"one"}}}""", report.Value("putOverwrite"));
        JsonAssert.Equal("""{"Attributes":{"pk":{"S":"k1"},"v":{"S":"two"},"w":{"N":"1"}}}""", report.Value("putConditionExistsOk"));
        JsonAssert.Equal(
            """{"Item":{"v":{"S":"three"}},"ConsumedCapacity":{"TableName":"v3-items","CapacityUnits":1}}""", JsonAssert.FoldUnitBreakdown(report.Value("getProjected")));
        Assert.Equal(0.5, JsonAssert.Number(JsonAssert.FoldUnitBreakdown(report.Value("getEventualCapacity")), "ConsumedCapacity.CapacityUnits"));
        JsonAssert.Equal(
            """{"Attributes":{"pk":{"S":"k1"},"v":{"S":"three"}},"ConsumedCapacity":{"TableName":"v3-items","CapacityUnits":1}}""",
            JsonAssert.FoldUnitBreakdown(report.Value("deleteAllOld")));
    }

    [Theory, BothStores]
    public void Binary_sets_and_number_keys_round_trip(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Item":{"pk":{"S":"bin"},"b":{"B":{"$binary":"AID/Cg=="}},"e":{"B":{"$binary":""}}}}""", report.Value("getBinaryItem"));
        var sets = JsonAssert.SortArrays(report.Value("getBinaryAndSets"), "Item.bs.BS", "Item.ns.NS", "Item.ss.SS");
        JsonAssert.Equal(
            """{"Item":{"pk":{"S":"sets"},"bs":{"BS":[{"$binary":"AQE="},{"$binary":"Ag=="}]},"ns":{"NS":["-1","10","2.5"]},"ss":{"SS":["a","z"]}}}""",
            sets);
        Assert.Contains("contains duplicates", report.Error("numberSetDuplicateByValue").Message ?? "", StringComparison.Ordinal);
        JsonAssert.Equal("""{"Item":{"pk":{"N":"1000"},"v":{"N":"42.5"}}}""", report.Value("numberKeyGet"));
        JsonAssert.Equal("""{"Attributes":{"pk":{"N":"1000"},"v":{"N":"42.5"}}}""", report.Value("numberKeyDelete"));
    }

    [Theory, BothStores]
    public void Composite_keys_keep_items_apart_and_limit_the_sort_key(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"state":"SUCCESS"}""", report.Value("waitRangeTable"));
        JsonAssert.Equal("{}", report.Value("rangeKeyMaxLength"));
        AwsErrorAssert.Is(report.Error("rangeKeyTooLong"), "ValidationException",
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        AwsErrorAssert.Is(report.Error("rangeGetWithoutSortKey"), "ValidationException", "The provided key element does not match the schema");
        JsonAssert.Equal(
            """{"a":{"pk":{"S":"p"},"sk":{"S":"a"},"v":{"N":"1"}},"b":{"pk":{"S":"p"},"sk":{"S":"b"},"v":{"N":"2"}}}""",
            report.Value("rangePutTwoSortKeys"));
        JsonAssert.Equal("""{"state":"SUCCESS"}""", report.Value("waitRangeTableGone"));
    }

    [Theory, BothStores]
    public void Batches_write_across_tables_and_enforce_limits(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"UnprocessedItems":{}}""", report.Value("batchWrite25"));
        AwsErrorAssert.Contains(report.Error("batchWrite26"), "ValidationException", "Member must have length less than or equal to 25");
        var twoTables = JsonAssert.SortArrays(JsonAssert.FoldUnitBreakdown(report.Value("batchWriteTwoTables")), "ConsumedCapacity");
        JsonAssert.Equal(
            """{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"v3-c","CapacityUnits":1},{"TableName":"v3-items","CapacityUnits":1}]}""",
            twoTables);
        var get = report.Value("batchGet100");
        Assert.Equal(24, JsonAssert.At(get, "Responses.v3-items").GetArrayLength()); // b0..b24 written, b0 deleted
        JsonAssert.Equal("{}", JsonAssert.At(get, "UnprocessedKeys"));
        AwsErrorAssert.Contains(report.Error("batchGet101"), "ValidationException", "100");
    }

    [Theory, BothStores]
    public void DocumentClient_marshals_native_values_and_big_numbers(StoreMode mode)
    {
        var report = run.For(mode);
        var item = JsonAssert.SortArrays(report.Value("docGet"), "Item.s.$set", "Item.ns.$set");
        JsonAssert.Equal(
            """{"Item":{"pk":"doc","n":7,"s":{"$set":["a","b"]},"ns":{"$set":[1,2]},"bin":{"$binary":"AQID"},"nested":{"l":[1,"x",false,null]}}}""",
            item);
        JsonAssert.Equal("""{"Item":{"n":7,"nested":{"l":[1,"x",false,null]}}}""", report.Value("docGetProjected"));
        JsonAssert.Equal("""{"v":"12345678901234567890123.45","type":"NumberValue"}""", report.Value("docGetWrappedNumber"));
        JsonAssert.Equal("""{"UnprocessedItems":{}}""", report.Value("docBatchWrite"));
        var batch = report.Value("docBatchGet");
        Assert.Equal(2, JsonAssert.At(batch, "Responses.v3-items").GetArrayLength());
        JsonAssert.Equal("""{"Attributes":{"pk":"d1","v":1}}""", report.Value("docDelete"));
    }

    [Theory, BothStores]
    public void Tags_ttl_limits_and_endpoints_answer(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Tags":[{"Key":"a","Value":"3"},{"Key":"b","Value":"2"}]}""", JsonAssert.SortArrays(report.Value("listTags"), "Tags"));
        JsonAssert.Equal("""{"Tags":[]}""", report.Value("listTagsAfterUntag"));
        JsonAssert.Equal("""{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}""", report.Value("describeTtlBefore"));
        JsonAssert.Equal("""{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}}""", report.Value("updateTtl"));
        Assert.Equal("ttl", JsonAssert.Text(report.Value("describeTtlAfter"), "TimeToLiveDescription.AttributeName"));
        Assert.Equal(80000, JsonAssert.Number(report.Value("describeLimits"), "AccountMaxWriteCapacityUnits"));
        Assert.Equal(1440, JsonAssert.Number(JsonAssert.At(report.Value("describeEndpoints"), "Endpoints")[0], "CachePeriodInMinutes"));
    }

    private static void AssertModeled(OracleError error, string type, string message)
    {
        // v3 deserializes each modeled error into its own exception class: the class name proves the __type was understood.
        Assert.Equal(type, error.Class);
        Assert.Equal(message, error.Message);
        Assert.Equal(400, error.Status);
    }
}
