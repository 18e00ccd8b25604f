using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>Query and Scan with IndexName: paging with index + table keys, projections, consistency, sparse scans.</summary>
[Collection(ServerCollection.Name)]
public sealed class IndexQueryTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private async Task<string> FillAsync()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        // Five items share owner and created (equal index keys): only their table keys order them.
        for (int i = 0; i < 5; i++)
        {
            await Client.PutItemAsync(new PutItemRequest
            {
                TableName = table,
                Item = new()
                {
                    ["pk"] = S("p" + (4 - i)), ["sk"] = N((i % 2).ToString()), ["owner"] = S("o"), ["created"] = N("7"),
                    ["status"] = S("s" + i), ["note"] = S("n" + i), ["extra"] = S("x" + i), ["category"] = S(i < 3 ? "c" : "d"),
                },
            }).WaitAsync(ServerFixture.Timeout);
        }
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("q"), ["sk"] = N("1"), ["owner"] = S("o"), ["created"] = N("3") } })
            .WaitAsync(ServerFixture.Timeout);
        return table;
    }

    [Fact]
    public async Task EmptyKeyValuesInAKeyConditionAreRefusedOnTheTableAndItsIndexes()
    {
        var table = await FillAsync();
        async Task<string> Error(string? index, string condition, Dictionary<string, AttributeValue> values) =>
            (await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.QueryAsync(new QueryRequest
            {
                TableName = table, IndexName = index, KeyConditionExpression = condition, ExpressionAttributeValues = values,
                ExpressionAttributeNames = condition.Contains("#s") ? new() { ["#s"] = "status" } : null,
            }).WaitAsync(ServerFixture.Timeout))).Message;
        const string Empty = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ";

        Assert.Equal(Empty + "pk", await Error(null, "pk = :e", new() { [":e"] = S("") }));
        Assert.Equal(Empty + "category", await Error(CategoryGsi, "category = :e", new() { [":e"] = S("") }));
        Assert.Equal(Empty + "pk", await Error(Lsi, "pk = :e", new() { [":e"] = S("") }));
        // The sort key too, whatever the operator: an empty bound is refused, not read as "from the start".
        Assert.Equal(Empty + "status", await Error(Lsi, "pk = :p AND #s > :e", new() { [":p"] = S("p1"), [":e"] = S("") }));
        Assert.Equal(Empty + "status", await Error(Lsi, "pk = :p AND begins_with(#s, :e)", new() { [":p"] = S("p1"), [":e"] = S("") }));
        Assert.Equal(Empty + "status", await Error(Lsi, "pk = :p AND #s BETWEEN :e AND :z", new() { [":p"] = S("p1"), [":e"] = S(""), [":z"] = S("z") }));
        // A non-empty condition on the same index still reads.
        var found = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = CategoryGsi, KeyConditionExpression = "category = :c", ExpressionAttributeValues = new() { [":c"] = S("c") },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(3, found.Count);
    }

    [Fact]
    public async Task PagesOfAGlobalIndexResumeOnIndexAndTableKeys()
    {
        var table = await FillAsync();
        var seen = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        int pages = 0;
        do
        {
            var page = await Client.QueryAsync(new QueryRequest
            {
                TableName = table, IndexName = OwnerGsi, KeyConditionExpression = "#o = :o",
                ExpressionAttributeNames = new() { ["#o"] = "owner" }, ExpressionAttributeValues = new() { [":o"] = S("o") },
                Limit = 2, ExclusiveStartKey = start,
            }).WaitAsync(ServerFixture.Timeout);
            pages++;
            foreach (var item in page.Items)
            {
                Assert.Equal(["created", "owner", "pk", "sk"], item.Keys.Order(StringComparer.Ordinal)); // KEYS_ONLY
                seen.Add(item["pk"].S + "/" + item["sk"].N);
            }
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
            if (start is not null) Assert.Equal(["created", "owner", "pk", "sk"], start.Keys.Order(StringComparer.Ordinal));
        }
        while (start is not null && pages < 10);
        Assert.Equal(["q/1", "p0/0", "p1/1", "p2/0", "p3/1", "p4/0"], seen);
        Assert.Equal(4, pages); // the third page is full, so it carries a LastEvaluatedKey and a fourth, empty page ends

        var backward = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = OwnerGsi, KeyConditionExpression = "#o = :o AND created > :c",
            ExpressionAttributeNames = new() { ["#o"] = "owner" }, ExpressionAttributeValues = new() { [":o"] = S("o"), [":c"] = N("5") },
            ScanIndexForward = false,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(["p4", "p3", "p2", "p1", "p0"], backward.Items.Select(i => i["pk"].S));
    }

    [Fact]
    public async Task ReadsOfIndexesFollowDynamoDbsRules()
    {
        var table = await FillAsync();
        var (_, _, message) = await ErrorAsync(fixture, "Query", $$$$"""
            {"TableName":"{{{{table}}}}","IndexName":"gsi-category","KeyConditionExpression":"category = :c","ExpressionAttributeValues":{":c":{"S":"c"}},"ConsistentRead":true}
            """);
        Assert.Equal("Consistent reads are not supported on global secondary indexes", message);
        (_, _, message) = await ErrorAsync(fixture, "Scan", $$$$"""{"TableName":"{{{{table}}}}","IndexName":"nope"}""");
        Assert.Equal("The table does not have the specified index: nope", message);
        (_, _, message) = await ErrorAsync(fixture, "Query", $$$$"""
            {"TableName":"{{{{table}}}}","IndexName":"gsi-owner","KeyConditionExpression":"#o = :o","ExpressionAttributeNames":{"#o":"owner"},"ExpressionAttributeValues":{":o":{"S":"o"}},"Select":"ALL_ATTRIBUTES"}
            """);
        Assert.Equal("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi-owner because its projection type is not ALL", message);

        // A local index may be read consistently, and fetches what it does not project from the table.
        var lsi = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = Lsi, KeyConditionExpression = "pk = :p", ConsistentRead = true,
            ExpressionAttributeValues = new() { [":p"] = S("p4") },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(["note", "pk", "sk", "status"], Assert.Single(lsi.Items).Keys.Order(StringComparer.Ordinal));
        var all = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = Lsi, KeyConditionExpression = "pk = :p", Select = Select.ALL_ATTRIBUTES,
            ExpressionAttributeValues = new() { [":p"] = S("p4") },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("x0", Assert.Single(all.Items)["extra"].S);

        // Sparse: a scan of the category index sees only the items that have a category.
        var scan = await Client.ScanAsync(new ScanRequest { TableName = table, IndexName = CategoryGsi }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(5, scan.Count);
        Assert.Equal(5, scan.ScannedCount);
        Assert.All(scan.Items, i => Assert.Equal(8, i.Count)); // ALL projection
        var count = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = CategoryGsi, KeyConditionExpression = "category = :c", Select = Select.COUNT,
            ExpressionAttributeValues = new() { [":c"] = S("c") },
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(3, count.Count);
    }

    [Fact]
    public async Task ReadsOfAnIndexAreChargedToTheIndex()
    {
        var table = await FillAsync();
        var query = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = CategoryGsi, KeyConditionExpression = "category = :c",
            ExpressionAttributeValues = new() { [":c"] = S("c") }, ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(0.5, query.ConsumedCapacity.CapacityUnits);
        Assert.Equal(0, query.ConsumedCapacity.Table.CapacityUnits);
        Assert.Equal(0.5, query.ConsumedCapacity.GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
        var lsi = await Client.ScanAsync(new ScanRequest { TableName = table, IndexName = Lsi, ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES, ConsistentRead = true })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Equal(1, lsi.ConsumedCapacity.LocalSecondaryIndexes[Lsi].CapacityUnits);
    }
}
