using System.Text.Json;
using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class NodeSdkV3QueryRun() : OracleRuns("node", "dynamodb-v3-query.js");

/// <summary>
/// The query language through @aws-sdk/client-dynamodb v3 and @aws-sdk/lib-dynamodb (tests/clients/dynamodb-v3-query.js):
/// key conditions, filters, condition and update expressions with ReturnValues, a GSI read with the SDK's paginator,
/// and TransactWriteItems cancellation reasons as v3 models them.
/// </summary>
public sealed class NodeSdkV3QueryTests(NodeSdkV3QueryRun run) : IClassFixture<NodeSdkV3QueryRun>
{
    [Theory, BothStores]
    public void Every_error_is_a_modeled_DynamoDB_error(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 60, report.StatsText);
        Assert.Equal(0, report.Stat("unmodeledErrors"));
        JsonAssert.Equal("""{"items":30}""", report.Value("seed"));
    }

    [Theory, BothStores]
    public void Key_conditions_choose_the_range_and_the_direction(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Items":[{"order":{"N":"3"}},{"order":{"N":"4"}},{"order":{"N":"5"}},{"order":{"N":"6"}}],"Count":4,"ScannedCount":4}""",
            report.Value("queryBetween"));
        JsonAssert.Equal(
            """{"Items":[{"order":{"N":"10"}},{"order":{"N":"9"}},{"order":{"N":"8"}}],"Count":3,"ScannedCount":3,"LastEvaluatedKey":{"customer":{"S":"bob"},"order":{"N":"8"}}}""",
            report.Value("queryBackwardLimit"));
        AwsErrorAssert.Is(report.Error("querySyntaxError"), "ValidationException", "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
    }

    [Theory, BothStores]
    public void Filters_count_what_they_keep_and_what_was_read(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Count":3,"ScannedCount":10}""", report.Value("queryFilterCount"));
        var scan = report.Value("scanFilterIn");
        Assert.Equal(2, JsonAssert.Number(scan, "Count"));
        Assert.Equal(30, JsonAssert.Number(scan, "ScannedCount"));
        Assert.Equal(["ann/1", "ann/2"], JsonAssert.At(scan, "Items").EnumerateArray()
            .Select(i => JsonAssert.Text(i, "customer.S") + "/" + JsonAssert.Text(i, "order.N")).Order(StringComparer.Ordinal));
        JsonAssert.Equal("""{"pages":5,"scanned":30,"count":6}""", report.Value("paginateScanFiltered"));
        AwsErrorAssert.Is(report.Error("queryKeyFilterError"), "ValidationException",
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: customer");
        AwsErrorAssert.Is(report.Error("scanTooManyOperators"), "ValidationException",
            "Invalid FilterExpression: The expression contains too many operators; operator count: 301");
    }

    [Theory, BothStores]
    public void The_GSI_paginator_visits_every_item_once_in_index_order(StoreMode mode)
    {
        var report = run.For(mode);
        // Index keys tie (three dates for fifteen open orders): pages resume on the table key inside a tie.
        var pages = JsonAssert.At(report.Value("paginateGsi"), "pages").EnumerateArray().ToList();
        var keys = pages.SelectMany(p => JsonAssert.At(p, "keys").EnumerateArray().Select(k => k.GetString()!)).ToList();
        Assert.Equal(
            ["ann/3@2026-11-10", "ann/9@2026-11-10", "bob/3@2026-11-10", "bob/9@2026-11-10", "cy/3@2026-11-10", "cy/9@2026-11-10",
             "ann/1@2026-11-11", "ann/7@2026-11-11", "bob/1@2026-11-11", "bob/7@2026-11-11", "cy/1@2026-11-11", "cy/7@2026-11-11",
             "ann/5@2026-11-12", "bob/5@2026-11-12", "cy/5@2026-11-12"],
            keys);
        Assert.Equal([4, 4, 4, 3], pages.Select(p => (int)JsonAssert.Number(p, "count")));
        // Each LastEvaluatedKey names the index keys and the table keys.
        foreach (var page in pages.Take(3))
            Assert.Equal(["customer", "order", "placed", "status"], JsonAssert.At(page, "lastKey").EnumerateArray().Select(k => k.GetString()!));
        AwsErrorAssert.Is(report.Error("gsiConsistentRead"), "ValidationException", "Consistent reads are not supported on global secondary indexes");
    }

    [Theory, BothStores]
    public void Update_expressions_and_ReturnValues_answer_as_DynamoDB(StoreMode mode)
    {
        var report = run.For(mode);
        var allNew = JsonAssert.SortArrays(report.Value("updateAllNew"), "Attributes.tags.SS");
        JsonAssert.Equal(
            """{"Attributes":{"customer":{"S":"ann"},"order":{"N":"1"},"status":{"S":"open"},"total":{"N":"15"},"notes":{"L":[{"S":"first"}]},"seen":{"S":"t0"},"tags":{"SS":["new","vip"]}}}""",
            allNew);
        JsonAssert.Equal("""{"Attributes":{"total":{"N":"15"},"tags":{"SS":["new","vip"]}}}""",
            JsonAssert.SortArrays(report.Value("updateUpdatedOld"), "Attributes.tags.SS"));
        // SET past the end of a list appends; UPDATED_NEW shows the element where it landed.
        JsonAssert.Equal("""{"Attributes":{"notes":{"L":[{"S":"second"}]}}}""", report.Value("updateUpdatedNewListAppend"));
        AwsErrorAssert.Is(report.Error("updateTypeMismatch"), "ValidationException",
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S");
        AwsErrorAssert.Is(report.Error("updateItemTypeMismatch"), "ValidationException", "An operand in the update expression has an incorrect data type");
        AwsErrorAssert.Is(report.Error("updateOverlappingPaths"), "ValidationException",
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [notes], path two: [notes, [0]]");
    }

    [Theory, BothStores]
    public void Failed_conditions_change_nothing_and_can_return_the_old_item(StoreMode mode)
    {
        var report = run.For(mode);
        var failed = report.Value("updateConditionFailedAllOld");
        Assert.Equal("ConditionalCheckFailedException", JsonAssert.Text(failed, "name"));
        Assert.Equal("The conditional request failed", JsonAssert.Text(failed, "message"));
        Assert.Equal(400, JsonAssert.Number(failed, "status"));
        JsonAssert.Equal(
            """{"customer":{"S":"ann"},"order":{"N":"1"},"status":{"S":"open"},"total":{"N":"1"},"notes":{"L":[{"S":"first"},{"S":"second"}]},"seen":{"S":"t0"},"tags":{"SS":["vip"]}}""",
            JsonAssert.At(failed, "item"));
        JsonAssert.Equal("""{"Item":{"total":{"N":"1"},"notes":{"L":[{"S":"first"},{"S":"second"}]}}}""", report.Value("afterFailedCondition"));
        Assert.Equal("ConditionalCheckFailedException", JsonAssert.Text(report.Value("putAttributeNotExistsFails"), "name"));
        Assert.Equal("10", JsonAssert.Text(report.Value("deleteSizeCondition"), "Attributes.order.N"));
    }

    [Theory, BothStores]
    public void A_cancelled_transaction_gives_reasons_in_request_order_and_writes_nothing(StoreMode mode)
    {
        var report = run.For(mode);
        var cancelled = report.Value("transactCancelled");
        Assert.Equal("TransactionCanceledException", JsonAssert.Text(cancelled, "name"));
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None, ConditionalCheckFailed]",
            JsonAssert.Text(cancelled, "message"));
        var reasons = JsonAssert.At(cancelled, "reasons").EnumerateArray().ToList();
        Assert.Equal(["None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"], reasons.Select(r => JsonAssert.Text(r, "Code")));
        Assert.Equal("The conditional request failed", JsonAssert.Text(reasons[1], "Message"));
        Assert.Equal("10", JsonAssert.Text(reasons[1], "Item.total.N"));
        JsonAssert.Absent(reasons[3], "Item");
        JsonAssert.Equal("""[{},{"Item":{"total":{"N":"20"}}}]""", report.Value("afterCancelled"));

        JsonAssert.Equal("{}", report.Value("transactOk"));
        JsonAssert.Equal("{}", report.Value("transactReplay"));
        var mismatch = report.Error("transactMismatch");
        Assert.Equal("IdempotentParameterMismatchException", mismatch.Class);
        JsonAssert.Equal("""{"Item":{"total":{"N":"21"}}}""", report.Value("afterTransact"));

        var wrongKey = report.Value("transactWrongKeyType");
        Assert.Equal("TransactionCanceledException", JsonAssert.Text(wrongKey, "name"));
        var wrongReasons = JsonAssert.At(wrongKey, "reasons").EnumerateArray().ToList();
        Assert.Equal(["None", "ValidationError"], wrongReasons.Select(r => JsonAssert.Text(r, "Code")));
        Assert.Equal("The provided key element does not match the schema", JsonAssert.Text(wrongReasons[1], "Message"));
        var emptyKey = report.Value("transactGetEmptyKey");
        Assert.Equal("TransactionCanceledException", JsonAssert.Text(emptyKey, "name"));
        Assert.Equal(["ValidationError"], JsonAssert.At(emptyKey, "reasons").EnumerateArray().Select(r => JsonAssert.Text(r, "Code")));
    }

    [Theory, BothStores]
    public void DocumentClient_expressions_use_native_values(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("docMultiplySyntaxError"), "ValidationException", "Invalid UpdateExpression: Syntax error; token: \"*\", near: \"#t * :two\"");
        JsonAssert.Equal("""{"Attributes":{"total":25,"extra":{"nested":[1,"two",true]}}}""", report.Value("docUpdateNew"));
        var query = report.Value("docQuery");
        Assert.Equal(1, JsonAssert.Number(query, "Count"));
        Assert.Equal(4, JsonAssert.Number(query, "ScannedCount"));
        Assert.Equal(4, JsonAssert.Number(JsonAssert.At(query, "Items")[0], "order"));
        var cancelled = report.Value("docTransactCancelled");
        Assert.Equal("TransactionCanceledException", JsonAssert.Text(cancelled, "name"));
        Assert.Equal(["ConditionalCheckFailed", "None"], JsonAssert.At(cancelled, "reasons").EnumerateArray().Select(r => JsonAssert.Text(r, "Code")));
        Assert.Equal(JsonValueKind.Array, JsonAssert.At(cancelled, "reasons").ValueKind);
    }
}
