using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>
/// ReturnItemCollectionMetrics=SIZE: answered on a table with a local secondary index by every write operation,
/// never on a table without one.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ItemCollectionMetricsTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private static Dictionary<string, AttributeValue> Item(string pk, int sk) =>
        new() { ["pk"] = S(pk), ["sk"] = N(sk.ToString(System.Globalization.CultureInfo.InvariantCulture)), ["status"] = S("open"), ["note"] = S("n") };

    private static void AssertSmallCollection(ItemCollectionMetrics metrics, string pk)
    {
        Assert.Equal(["pk"], metrics.ItemCollectionKey.Keys);
        Assert.Equal(pk, metrics.ItemCollectionKey["pk"].S);
        Assert.Equal([0.0, 1.0], metrics.SizeEstimateRangeGB);
    }

    [Fact]
    public async Task SingleItemWritesOnATableWithAnLsiReturnTheCollection()
    {
        var table = await IndexTables.CreateAsync(Client, fixture.NewTableName());
        var put = await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = Item("p", 1), ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE })
            .WaitAsync(Timeout);
        AssertSmallCollection(put.ItemCollectionMetrics, "p");
        var update = await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("p"), ["sk"] = N("1") }, UpdateExpression = "SET note = :n",
            ExpressionAttributeValues = new() { [":n"] = S("m") }, ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(Timeout);
        AssertSmallCollection(update.ItemCollectionMetrics, "p");
        var delete = await Client.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("p"), ["sk"] = N("1") }, ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(Timeout);
        AssertSmallCollection(delete.ItemCollectionMetrics, "p");

        // Not asked for (NONE, or absent): not returned.
        var none = await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = Item("p", 2), ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.NONE })
            .WaitAsync(Timeout);
        Assert.Null(none.ItemCollectionMetrics);

        // On the wire as AWS writes it: the key in canonical form, the bounds as decimals.
        var raw = await fixture.PostAsync("PutItem", "{\"TableName\":\"" + table
            + "\",\"Item\":{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"1\"}},\"ReturnItemCollectionMetrics\":\"SIZE\"}");
        Assert.Equal("{\"ItemCollectionMetrics\":{\"ItemCollectionKey\":{\"pk\":{\"S\":\"q\"}},\"SizeEstimateRangeGB\":[0.0,1.0]}}",
            await raw.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task BatchesAndTransactionsReturnOneEntryPerCollectionKeyedByTable()
    {
        var table = await IndexTables.CreateAsync(Client, fixture.NewTableName());
        var plain = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var batch = await Client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new()
            {
                [table] = [new WriteRequest(new PutRequest(Item("a", 1))), new WriteRequest(new PutRequest(Item("b", 1))), new WriteRequest(new PutRequest(Item("a", 2)))],
                [plain] = [new WriteRequest(new PutRequest(new() { ["pk"] = S("x") }))],
            },
            ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(Timeout);
        Assert.Equal([table], batch.ItemCollectionMetrics.Keys); // the table without an LSI has no collections
        Assert.Equal(["a", "b"], batch.ItemCollectionMetrics[table].Select(m => m.ItemCollectionKey["pk"].S));
        Assert.All(batch.ItemCollectionMetrics[table], m => Assert.Equal([0.0, 1.0], m.SizeEstimateRangeGB));

        var transaction = await Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                new TransactWriteItem { Put = new Put { TableName = table, Item = Item("c", 1) } },
                new TransactWriteItem { Delete = new Delete { TableName = table, Key = new() { ["pk"] = S("a"), ["sk"] = N("1") } } },
                // A condition check writes nothing, so its collection is not reported.
                new TransactWriteItem { ConditionCheck = new ConditionCheck { TableName = table, Key = new() { ["pk"] = S("b"), ["sk"] = N("1") }, ConditionExpression = "attribute_exists(pk)" } },
                new TransactWriteItem { Put = new Put { TableName = plain, Item = new() { ["pk"] = S("y") } } },
            ],
            ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(Timeout);
        Assert.Equal([table], transaction.ItemCollectionMetrics.Keys);
        Assert.Equal(["c", "a"], transaction.ItemCollectionMetrics[table].Select(m => m.ItemCollectionKey["pk"].S));
    }

    [Fact]
    public async Task ATableWithoutAnLsiReturnsNothing()
    {
        var plain = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var put = await fixture.PostAsync("PutItem", "{\"TableName\":\"" + plain + "\",\"Item\":{\"pk\":{\"S\":\"a\"}},\"ReturnItemCollectionMetrics\":\"SIZE\"}");
        Assert.Equal("{}", await put.Content.ReadAsStringAsync().WaitAsync(Timeout));
        var batch = await fixture.PostAsync("BatchWriteItem", "{\"RequestItems\":{\"" + plain
            + "\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"b\"}}}}]},\"ReturnItemCollectionMetrics\":\"SIZE\"}");
        Assert.Equal("{\"UnprocessedItems\":{}}", await batch.Content.ReadAsStringAsync().WaitAsync(Timeout));
        var transaction = await fixture.PostAsync("TransactWriteItems", "{\"TransactItems\":[{\"Put\":{\"TableName\":\"" + plain
            + "\",\"Item\":{\"pk\":{\"S\":\"c\"}}}}],\"ReturnItemCollectionMetrics\":\"SIZE\"}");
        Assert.Equal("{}", await transaction.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(0L, 0.0, 1.0)]
    [InlineData(400_000L, 0.0, 1.0)]
    [InlineData(1L << 30, 1.0, 2.0)]
    [InlineData(10L << 30, 10.0, 11.0)]
    public void TheEstimateIsTheWholeGigabytesMeasuredAndTheNextOne(long bytes, double lower, double upper) =>
        Assert.Equal((lower, upper), Handshake.Dynamo.Operations.ItemCollectionMetrics.EstimateRangeGB(bytes));
}
