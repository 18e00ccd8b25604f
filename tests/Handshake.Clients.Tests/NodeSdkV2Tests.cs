using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class NodeSdkV2Run() : OracleRuns("node", "dynamodb-v2.js");

/// <summary>aws-sdk v2, the seed function's SDK, through tests/clients/dynamodb-v2.js.</summary>
public sealed class NodeSdkV2Tests(NodeSdkV2Run run) : IClassFixture<NodeSdkV2Run>
{
    [Theory, BothStores]
    public void Every_response_passes_the_crc32_check_with_no_retry(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.True(report.Stat("calls") > 70, report.StatsText);
        Assert.Equal(0, report.Stat("missingCrc32"));
        Assert.Equal(0, report.Stat("missingRequestId"));
        Assert.Equal(0, report.Stat("crcFailures"));
        Assert.Equal(0, report.Stat("retries"));
    }

    [Theory, BothStores]
    public void CreateTable_returns_the_full_table_description(StoreMode mode)
    {
        var table = JsonAssert.At(run.For(mode).Value("createTable"), "TableDescription");
        Assert.Equal("v2-items", JsonAssert.Text(table, "TableName"));
        Assert.Equal("CREATING", JsonAssert.Text(table, "TableStatus"));
        Assert.Equal("arn:aws:dynamodb:us-east-1:000000000000:table/v2-items", JsonAssert.Text(table, "TableArn"));
        Assert.True(Guid.TryParse(JsonAssert.Text(table, "TableId"), out _), table.ToString());
        Assert.True(DateTimeOffset.TryParse(JsonAssert.Text(table, "CreationDateTime.$date"), out _));
        Assert.Equal(0, JsonAssert.Number(table, "ItemCount"));
        Assert.Equal(0, JsonAssert.Number(table, "TableSizeBytes"));
        Assert.Equal("PAY_PER_REQUEST", JsonAssert.Text(table, "BillingModeSummary.BillingMode"));
        Assert.Equal(0, JsonAssert.Number(table, "ProvisionedThroughput.ReadCapacityUnits"));
        Assert.Equal(0, JsonAssert.Number(table, "ProvisionedThroughput.WriteCapacityUnits"));
        JsonAssert.Equal("""[{"AttributeName":"id","KeyType":"HASH"}]""", JsonAssert.At(table, "KeySchema"));
        JsonAssert.Equal("""[{"AttributeName":"id","AttributeType":"S"}]""", JsonAssert.At(table, "AttributeDefinitions"));
    }

    [Theory, BothStores]
    public void Waiters_see_tables_become_active_and_disappear(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.Equal("ACTIVE", JsonAssert.Text(report.Value("waitForTableExists"), "Table.TableStatus"));
        Assert.Equal("ACTIVE", JsonAssert.Text(report.Value("wait:v2-numbers"), "Table.TableStatus"));
        Assert.Equal("DELETING", JsonAssert.Text(report.Value("deleteTable"), "TableDescription.TableStatus"));
        report.Value("waitForTableNotExists");
        JsonAssert.Equal("""{"TableNames":["v2-items","v2-numbers"]}""", report.Value("listTablesAfterDelete"));
    }

    [Theory, BothStores]
    public void Table_errors_have_the_aws_types_and_messages(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("createTableAgain"), "ResourceInUseException", "Table already exists: v2-items");
        AwsErrorAssert.Is(report.Error("describeMissingTable"), "ResourceNotFoundException", "Requested resource not found: Table: v2-missing not found");
        AwsErrorAssert.Is(report.Error("deleteMissingTable"), "ResourceNotFoundException", "Requested resource not found: Table: v2-binary not found");
        AwsErrorAssert.Is(report.Error("listTablesLimitZero"), "ValidationException",
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    }

    [Theory, BothStores]
    public void ListTables_pages_with_Limit_and_ExclusiveStartTableName(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"TableNames":["v2-binary","v2-items"],"LastEvaluatedTableName":"v2-items"}""", report.Value("listTablesPage1"));
        JsonAssert.Equal("""{"TableNames":["v2-numbers"]}""", report.Value("listTablesPage2"));
    }

    [Theory, BothStores]
    public void UpdateTable_switches_billing_mode_and_throughput(StoreMode mode)
    {
        var report = run.For(mode);
        var updated = JsonAssert.At(report.Value("updateTableToProvisioned"), "TableDescription");
        Assert.Equal("UPDATING", JsonAssert.Text(updated, "TableStatus"));
        Assert.Equal("PROVISIONED", JsonAssert.Text(updated, "BillingModeSummary.BillingMode"));
        var described = JsonAssert.At(report.Value("describeAfterUpdate"), "Table");
        Assert.Equal("ACTIVE", JsonAssert.Text(described, "TableStatus"));
        Assert.Equal("PROVISIONED", JsonAssert.Text(described, "BillingModeSummary.BillingMode"));
        Assert.Equal(7, JsonAssert.Number(described, "ProvisionedThroughput.ReadCapacityUnits"));
        Assert.Equal(3, JsonAssert.Number(described, "ProvisionedThroughput.WriteCapacityUnits"));
    }

    [Theory, BothStores]
    public void PutItem_returns_the_old_item_with_ALL_OLD(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("{}", report.Value("putNewAllOld"));
        JsonAssert.Equal(
            """{"Attributes":{"id":{"S":"a"},"name":{"S":"first"},"n":{"N":"1"},"flag":{"BOOL":true},"none":{"NULL":true},"list":{"L":[{"S":"x"},{"N":"2"}]},"map":{"M":{"inner":{"S":"y"}}}}}""",
            report.Value("putOverwriteAllOld"));
        JsonAssert.Equal(
            """{"Item":{"id":{"S":"a"},"name":{"S":"second"},"n":{"N":"1"},"flag":{"BOOL":true},"none":{"NULL":true},"list":{"L":[{"S":"x"},{"N":"2"}]},"map":{"M":{"inner":{"S":"y"}}}}}""",
            report.Value("getConsistent"));
    }

    [Theory, BothStores]
    public void Conditions_on_the_key_pass_and_fail_like_DynamoDB(StoreMode mode)
    {
        var report = run.For(mode);
        const string failed = "The conditional request failed";
        AwsErrorAssert.Is(report.Error("putIfNotExistsOnExisting"), "ConditionalCheckFailedException", failed);
        AwsErrorAssert.Is(report.Error("putIfExistsOnMissing"), "ConditionalCheckFailedException", failed);
        AwsErrorAssert.Is(report.Error("deleteMissingIfExists"), "ConditionalCheckFailedException", failed);
        AwsErrorAssert.Is(report.Error("docConditionFailed"), "ConditionalCheckFailedException", failed);
        JsonAssert.Equal("{}", report.Value("putIfNotExistsOnMissing"));
        JsonAssert.Equal("""{"Attributes":{"id":{"S":"b"},"v":{"S":"bee"}}}""", report.Value("deleteAllOld"));
        JsonAssert.Equal("{}", report.Value("getAfterDelete"));
    }

    [Theory, BothStores]
    public void GetItem_projects_and_reports_missing_items_and_tables(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Item":{"name":{"S":"second"},"flag":{"BOOL":true}}}""", report.Value("getProjected"));
        JsonAssert.Equal("{}", report.Value("getMissingItem"));
        AwsErrorAssert.Is(report.Error("getWrongKeySchema"), "ValidationException", "The provided key element does not match the schema");
        AwsErrorAssert.Is(report.Error("getMissingTable"), "ResourceNotFoundException", "Requested resource not found");
    }

    [Theory, BothStores]
    public void Invalid_items_are_rejected_with_aws_messages(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("putMissingKey"), "ValidationException", "One or more parameter values were invalid: Missing the key id in the item");
        AwsErrorAssert.Is(report.Error("putKeyTypeMismatch"), "ValidationException",
            "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N");
        AwsErrorAssert.Is(report.Error("putEmptyStringKey"), "ValidationException",
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id");
        AwsErrorAssert.Is(report.Error("binaryEmptyKey"), "ValidationException",
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: k");
        AwsErrorAssert.Is(report.Error("putEmptySet"), "ValidationException", "One or more parameter values were invalid: An string set  may not be empty");
        var duplicate = report.Error("putDuplicateSet");
        Assert.Equal("ValidationException", duplicate.Code);
        Assert.Contains("contains duplicates", duplicate.Message, StringComparison.Ordinal);
        AwsErrorAssert.Is(report.Error("putTooLarge"), "ValidationException", "Item size has exceeded the maximum allowed size");
        JsonAssert.Equal("{}", report.Value("putHashKeyMaxLength"));
        // AWS's own text, without the space before 2048.
        AwsErrorAssert.Is(report.Error("putHashKeyTooLong"), "ValidationException",
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    }

    [Theory, BothStores]
    public void ConsumedCapacity_follows_the_read_and_write_unit_rules(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"ConsumedCapacity":{"TableName":"v2-items","CapacityUnits":5}}""", JsonAssert.FoldUnitBreakdown(report.Value("capacityPutBig")));
        Assert.Equal(1, JsonAssert.Number(JsonAssert.FoldUnitBreakdown(report.Value("capacityGetBigEventual")), "ConsumedCapacity.CapacityUnits"));
        var consistent = JsonAssert.At(JsonAssert.FoldUnitBreakdown(report.Value("capacityGetBigConsistent")), "ConsumedCapacity");
        Assert.Equal(2, JsonAssert.Number(consistent, "CapacityUnits"));
        Assert.Equal(2, JsonAssert.Number(consistent, "Table.CapacityUnits"));
        // Overwriting the 5 KB item with a tiny one is charged on the larger (old) item.
        JsonAssert.Equal("""{"ConsumedCapacity":{"TableName":"v2-items","CapacityUnits":5}}""", JsonAssert.FoldUnitBreakdown(report.Value("capacityOverwriteBigWithSmall")));
        JsonAssert.Equal("""{"ConsumedCapacity":{"TableName":"v2-items","CapacityUnits":0.5}}""", JsonAssert.FoldUnitBreakdown(report.Value("capacityGetMissing")));
        JsonAssert.Equal("""{"ConsumedCapacity":{"TableName":"v2-items","CapacityUnits":1}}""", JsonAssert.FoldUnitBreakdown(report.Value("capacityDeleteMissing")));
        JsonAssert.Equal("{}", report.Value("capacityNone"));
        JsonAssert.Equal("""[{"TableName":"v2-items","CapacityUnits":25}]""", JsonAssert.At(JsonAssert.FoldUnitBreakdown(report.Value("batchWrite25")), "ConsumedCapacity"));
        JsonAssert.Equal("""[{"TableName":"v2-items","CapacityUnits":2}]""", JsonAssert.At(JsonAssert.FoldUnitBreakdown(report.Value("batchGetCapacity")), "ConsumedCapacity"));
    }

    [Theory, BothStores]
    public void Numbers_are_canonical_and_keys_compare_by_value(StoreMode mode)
    {
        var report = run.For(mode);
        report.Value("numberPutScientificKey");
        var item = JsonAssert.At(report.Value("numberGetByOtherForm"), "Item");
        Assert.Equal("1000", JsonAssert.Text(item, "k.N"));
        Assert.Equal("7", JsonAssert.Text(item, "v.N"));
        Assert.Equal("0", JsonAssert.Text(item, "z.N"));
        Assert.Equal("1.1", JsonAssert.Text(item, "f.N"));
        Assert.Equal("0.5", JsonAssert.Text(item, "h.N"));
        Assert.Equal("1" + new string('0', 125), JsonAssert.Text(item, "e.N"));
        Assert.Equal("0.0001", JsonAssert.Text(item, "t.N"));
        Assert.Equal("-0.0015", JsonAssert.Text(item, "m.N"));
        Assert.Equal(["0.3", "1", "2"], JsonAssert.SortedStrings(JsonAssert.At(item, "ns.NS")));
        // 001000 is the same key as 1e3: the put replaces the item and returns it.
        Assert.Equal("7", JsonAssert.Text(report.Value("numberOverwriteByThirdForm"), "Attributes.v.N"));
        JsonAssert.Equal("""{"Item":{"k":{"N":"3"}}}""", report.Value("numberPlusSignGet"));
    }

    [Theory, BothStores]
    public void Numbers_out_of_range_get_the_aws_messages(StoreMode mode)
    {
        var report = run.For(mode);
        AwsErrorAssert.Is(report.Error("number39Digits"), "ValidationException", "Attempting to store more than 38 significant digits in a Number");
        AwsErrorAssert.Is(report.Error("numberOverflow"), "ValidationException",
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
        AwsErrorAssert.Is(report.Error("numberUnderflow"), "ValidationException",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        AwsErrorAssert.Is(report.Error("numberNotANumber"), "ValidationException", "The parameter cannot be converted to a numeric value: abc");
    }

    [Theory, BothStores]
    public void Binary_and_sets_round_trip(StoreMode mode)
    {
        var report = run.For(mode);
        report.Value("binaryPut");
        var item = JsonAssert.At(report.Value("binaryGet"), "Item");
        var allBytes = new byte[256];
        for (var i = 0; i < allBytes.Length; i++)
        {
            allBytes[i] = (byte)i;
        }

        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 255 }), JsonAssert.Text(item, "k.B.$binary"));
        Assert.Equal(Convert.ToBase64String(allBytes), JsonAssert.Text(item, "bin.B.$binary"));
        Assert.Equal("", JsonAssert.Text(item, "empty.B.$binary"));
        Assert.Equal("", JsonAssert.Text(item, "es.S"));
        Assert.Equal(["", "a", "b"], JsonAssert.SortedStrings(JsonAssert.At(item, "ss.SS")));
        Assert.Equal(["-2", "1.5", "3"], JsonAssert.SortedStrings(JsonAssert.At(item, "ns.NS")));
        var binarySet = new List<string>();
        foreach (var member in JsonAssert.At(item, "bs.BS").EnumerateArray())
        {
            binarySet.Add(JsonAssert.Text(member, "$binary"));
        }

        binarySet.Sort(StringComparer.Ordinal);
        Assert.Equal(["/wA=", "AQ=="], binarySet);
    }

    [Theory, BothStores]
    public void Batches_enforce_their_limits_and_report_nothing_unprocessed(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("{}", JsonAssert.At(JsonAssert.FoldUnitBreakdown(report.Value("batchWrite25")), "UnprocessedItems"));
        JsonAssert.Equal("""{"UnprocessedItems":{}}""", report.Value("batchWriteDeletes"));
        AwsErrorAssert.Contains(report.Error("batchWrite26"), "ValidationException", "Member must have length less than or equal to 25");
        AwsErrorAssert.Is(report.Error("batchWriteDuplicates"), "ValidationException", "Provided list of item keys contains duplicates");
        // AWS answers an empty RequestItems map through its required-parameter path, not the constraint envelope.
        AwsErrorAssert.Is(report.Error("batchWriteEmpty"), "ValidationException", "The requestItems parameter is required for BatchWriteItem");
        AwsErrorAssert.Is(report.Error("batchWriteMissingTable"), "ResourceNotFoundException", "Requested resource not found");

        var get = report.Value("batchGet100");
        JsonAssert.Equal("{}", JsonAssert.At(get, "UnprocessedKeys"));
        var items = JsonAssert.At(get, "Responses.v2-items");
        Assert.Equal(23, items.GetArrayLength()); // 25 written, 2 deleted, 75 of the 100 keys never existed
        foreach (var found in items.EnumerateArray())
        {
            Assert.Equal(["i", "id"], JsonAssert.Names(found));
        }

        AwsErrorAssert.Contains(report.Error("batchGet101"), "ValidationException", "100");
        AwsErrorAssert.Is(report.Error("batchGetDuplicates"), "ValidationException", "Provided list of item keys contains duplicates");
        AwsErrorAssert.Is(report.Error("batchGetMissingTable"), "ResourceNotFoundException", "Requested resource not found");
    }

    [Theory, BothStores]
    public void DocumentClient_round_trips_native_values(StoreMode mode)
    {
        var report = run.For(mode);
        report.Value("docPut");
        JsonAssert.Equal(
            """{"Item":{"id":"doc","count":42,"ratio":0.25,"tags":{"$set":["x","y"],"type":"String"},"nums":{"$set":[1,2],"type":"Number"},"raw":{"$binary":"aGk="},"nested":{"list":[1,"two",null,true]}}}""",
            JsonAssert.SortArrays(report.Value("docGet"), "Item.tags.$set", "Item.nums.$set"));
        Assert.Equal(2, JsonAssert.At(report.Value("docBatchGet"), "Responses.v2-items").GetArrayLength());
        Assert.Equal("doc", JsonAssert.Text(report.Value("docDelete"), "Attributes.id"));
    }

    [Theory, BothStores]
    public void Tags_ttl_limits_and_endpoints_answer(StoreMode mode)
    {
        var report = run.For(mode);
        JsonAssert.Equal("""{"Tags":[{"Key":"env","Value":"test"},{"Key":"team","Value":"core"}]}""", JsonAssert.SortArrays(report.Value("listTags"), "Tags"));
        JsonAssert.Equal("""{"Tags":[{"Key":"team","Value":"core"}]}""", report.Value("listTagsAfterUntag"));
        JsonAssert.Equal("""{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}""", report.Value("describeTtlBefore"));
        JsonAssert.Equal("""{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}}""", report.Value("updateTtl"));
        var ttl = JsonAssert.At(report.Value("describeTtlAfter"), "TimeToLiveDescription");
        Assert.Contains(JsonAssert.Text(ttl, "TimeToLiveStatus"), new[] { "ENABLING", "ENABLED" });
        Assert.Equal("expires", JsonAssert.Text(ttl, "AttributeName"));
        AwsErrorAssert.Is(report.Error("describeTtlMissingTable"), "ResourceNotFoundException", "Requested resource not found: Table: v2-missing not found");
        JsonAssert.Equal(
            """{"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,"TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000}""",
            report.Value("describeLimits"));
        var endpoints = JsonAssert.At(report.Value("describeEndpoints"), "Endpoints");
        Assert.Equal(1, endpoints.GetArrayLength());
        Assert.Equal(1440, JsonAssert.Number(endpoints[0], "CachePeriodInMinutes"));
        Assert.False(string.IsNullOrEmpty(JsonAssert.Text(endpoints[0], "Address")));
    }
}
