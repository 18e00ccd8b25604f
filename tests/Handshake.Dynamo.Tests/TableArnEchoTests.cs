using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Dynamo.Tests.Indexes;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// A request that names its table by ARN is answered with the ARN wherever the response names the table (API
/// reference: ConsumedCapacity.TableName "If you had specified the Amazon Resource Name (ARN) of a table in the
/// input, you'll see the table ARN in the response"; BatchGetItem Responses "A map of table name or table ARN to a
/// list of items"; BatchWriteItem ItemCollectionMetrics and UnprocessedItems "table name or table ARN"). A batch that
/// names one table both ways keeps both keys, each with its own items and units. Requests by name answer the name.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TableArnEchoTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private async Task<(string Name, string Arn)> CreateAsync()
    {
        var name = await IndexTables.CreateAsync(Client, fixture.NewTableName("arn"));
        var arn = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.TableArn;
        Assert.StartsWith("arn:aws:dynamodb:", arn);
        return (name, arn);
    }

    // An item on the LSI (status) and on the ALL GSI (category), so writes cost index units in both.
    private static Dictionary<string, AttributeValue> Item(string pk, int sk) => new()
    {
        ["pk"] = S(pk), ["sk"] = N(sk.ToString()), ["status"] = S("open"), ["category"] = S("c"),
    };

    private static Dictionary<string, AttributeValue> Key(string pk, int sk) => new() { ["pk"] = S(pk), ["sk"] = N(sk.ToString()) };

    [Theory]
    [InlineData("TOTAL")]
    [InlineData("INDEXES")]
    public async Task SingleItemOperationsAnswerTheArnTheyWereGiven(string mode)
    {
        var (name, arn) = await CreateAsync();
        var rcc = new ReturnConsumedCapacity(mode);

        var put = await Client.PutItemAsync(new PutItemRequest { TableName = arn, Item = Item("a", 1), ReturnConsumedCapacity = rcc }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, put.ConsumedCapacity.TableName);
        var get = await Client.GetItemAsync(new GetItemRequest { TableName = arn, Key = Key("a", 1), ReturnConsumedCapacity = rcc }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, get.ConsumedCapacity.TableName);
        var update = await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = arn, Key = Key("a", 1), UpdateExpression = "SET note = :n",
            ExpressionAttributeValues = new() { [":n"] = S("x") }, ReturnConsumedCapacity = rcc,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, update.ConsumedCapacity.TableName);
        var query = await Client.QueryAsync(new QueryRequest
        {
            TableName = arn, KeyConditionExpression = "pk = :p", ExpressionAttributeValues = new() { [":p"] = S("a") }, ReturnConsumedCapacity = rcc,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, query.ConsumedCapacity.TableName);
        var indexQuery = await Client.QueryAsync(new QueryRequest
        {
            TableName = arn, IndexName = CategoryGsi, KeyConditionExpression = "category = :c", ExpressionAttributeValues = new() { [":c"] = S("c") },
            ReturnConsumedCapacity = rcc,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, indexQuery.ConsumedCapacity.TableName);
        var scan = await Client.ScanAsync(new ScanRequest { TableName = arn, ReturnConsumedCapacity = rcc }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, scan.ConsumedCapacity.TableName);
        var delete = await Client.DeleteItemAsync(new DeleteItemRequest { TableName = arn, Key = Key("a", 1), ReturnConsumedCapacity = rcc }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(arn, delete.ConsumedCapacity.TableName);

        if (mode == "INDEXES")
        {
            // The index breakdown still finds the table's indexes when the table was named by ARN.
            Assert.Contains(CategoryGsi, put.ConsumedCapacity.GlobalSecondaryIndexes.Keys);
            Assert.Contains(Lsi, put.ConsumedCapacity.LocalSecondaryIndexes.Keys);
            Assert.Contains(CategoryGsi, indexQuery.ConsumedCapacity.GlobalSecondaryIndexes.Keys);
        }

        // The plain name still answers the plain name.
        var byName = await Client.GetItemAsync(new GetItemRequest { TableName = name, Key = Key("a", 1), ReturnConsumedCapacity = rcc }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(name, byName.ConsumedCapacity.TableName);
    }

    [Theory]
    [InlineData("TOTAL")]
    [InlineData("INDEXES")]
    public async Task BatchGetItemKeysEachEntryAsTheRequestDid(string mode)
    {
        var (name, arn) = await CreateAsync();
        await Client.PutItemAsync(new PutItemRequest { TableName = name, Item = Item("a", 1) }).WaitAsync(ServerFixture.Timeout);
        await Client.PutItemAsync(new PutItemRequest { TableName = name, Item = Item("b", 1) }).WaitAsync(ServerFixture.Timeout);

        var got = await Client.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [arn] = new KeysAndAttributes { Keys = [Key("a", 1)], ConsistentRead = true },
                [name] = new KeysAndAttributes { Keys = [Key("b", 1), Key("missing", 1)] },
            },
            ReturnConsumedCapacity = new ReturnConsumedCapacity(mode),
        }).WaitAsync(ServerFixture.Timeout);

        Assert.Equal(new[] { arn, name }.Order(StringComparer.Ordinal), got.Responses.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a", Assert.Single(got.Responses[arn])["pk"].S);
        Assert.Equal("b", Assert.Single(got.Responses[name])["pk"].S);
        Assert.Empty(got.UnprocessedKeys);
        // Per requested identifier: one consistent read (1 unit) under the ARN, two eventual reads (0.5 each) under the name.
        Assert.Equal(2, got.ConsumedCapacity.Count);
        var capacity = got.ConsumedCapacity.ToDictionary(c => c.TableName);
        Assert.Equal(1, capacity[arn].CapacityUnits);
        Assert.Equal(1, capacity[name].CapacityUnits);
    }

    [Fact]
    public async Task BatchGetItemUnprocessedKeysKeepTheArn()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName("arn"));
        var arn = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.TableArn;
        var big = new string('x', 390 * 1024);
        for (int batch = 0; batch < 2; batch++)
        {
            var writes = Enumerable.Range(batch * 25, 25)
                .Select(i => new WriteRequest(new PutRequest(new() { ["pk"] = S("k" + i), ["v"] = S(big) })))
                .ToList();
            await Client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [name] = writes } }).WaitAsync(ServerFixture.Timeout);
        }

        var got = await Client.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [arn] = new KeysAndAttributes { Keys = Enumerable.Range(0, 50).Select(i => new Dictionary<string, AttributeValue> { ["pk"] = S("k" + i) }).ToList() },
            },
        }).WaitAsync(ServerFixture.Timeout);

        Assert.Equal([arn], got.Responses.Keys);
        Assert.Equal([arn], got.UnprocessedKeys.Keys);
        Assert.Equal(50, got.Responses[arn].Count + got.UnprocessedKeys[arn].Keys.Count);
        Assert.NotEmpty(got.UnprocessedKeys[arn].Keys);
    }

    [Theory]
    [InlineData("TOTAL")]
    [InlineData("INDEXES")]
    public async Task BatchWriteItemAnswersPerRequestedIdentifier(string mode)
    {
        var (name, arn) = await CreateAsync();
        var written = await Client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new()
            {
                [arn] = [new WriteRequest(new PutRequest(Item("a", 1))), new WriteRequest(new PutRequest(Item("a", 2)))],
                [name] = [new WriteRequest(new PutRequest(Item("b", 1)))],
            },
            ReturnConsumedCapacity = new ReturnConsumedCapacity(mode),
            ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(ServerFixture.Timeout);

        Assert.Empty(written.UnprocessedItems);
        Assert.Equal(2, written.ConsumedCapacity.Count);
        var capacity = written.ConsumedCapacity.ToDictionary(c => c.TableName);
        // Each put: 1 unit on the table, 1 on the LSI and 1 on the GSI; each key is charged only its own puts.
        Assert.Equal(6, capacity[arn].CapacityUnits);
        Assert.Equal(3, capacity[name].CapacityUnits);
        if (mode == "INDEXES")
        {
            Assert.Equal(2, capacity[arn].Table.CapacityUnits);
            Assert.Equal(2, capacity[arn].GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
            Assert.Equal(2, capacity[arn].LocalSecondaryIndexes[Lsi].CapacityUnits);
            Assert.Equal(1, capacity[name].Table.CapacityUnits);
            Assert.Equal(1, capacity[name].GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
            Assert.Equal(1, capacity[name].LocalSecondaryIndexes[Lsi].CapacityUnits);
        }
        Assert.Equal(new[] { arn, name }.Order(StringComparer.Ordinal), written.ItemCollectionMetrics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a", Assert.Single(written.ItemCollectionMetrics[arn]).ItemCollectionKey["pk"].S);
        Assert.Equal("b", Assert.Single(written.ItemCollectionMetrics[name]).ItemCollectionKey["pk"].S);
    }

    [Theory]
    [InlineData("TOTAL")]
    [InlineData("INDEXES")]
    public async Task TransactionsAnswerPerRequestedIdentifier(string mode)
    {
        var (name, arn) = await CreateAsync();
        var rcc = new ReturnConsumedCapacity(mode);
        var written = await Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                new TransactWriteItem { Put = new Put { TableName = arn, Item = Item("a", 1) } },
                new TransactWriteItem { Put = new Put { TableName = name, Item = Item("b", 1) } },
                new TransactWriteItem { Put = new Put { TableName = arn, Item = Item("c", 1) } },
            ],
            ReturnConsumedCapacity = rcc,
            ReturnItemCollectionMetrics = ReturnItemCollectionMetrics.SIZE,
        }).WaitAsync(ServerFixture.Timeout);

        // In order of first appearance, one entry per identifier: twice the plain writes, index writes included.
        Assert.Equal([arn, name], written.ConsumedCapacity.Select(c => c.TableName));
        Assert.Equal(12, written.ConsumedCapacity[0].CapacityUnits);
        Assert.Equal(6, written.ConsumedCapacity[1].CapacityUnits);
        if (mode == "INDEXES")
        {
            Assert.Equal(4, written.ConsumedCapacity[0].Table.WriteCapacityUnits);
            Assert.Equal(4, written.ConsumedCapacity[0].GlobalSecondaryIndexes[CategoryGsi].WriteCapacityUnits);
            Assert.Equal(2, written.ConsumedCapacity[1].LocalSecondaryIndexes[Lsi].WriteCapacityUnits);
        }
        Assert.Equal(new[] { arn, name }.Order(StringComparer.Ordinal), written.ItemCollectionMetrics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "c"], written.ItemCollectionMetrics[arn].Select(m => m.ItemCollectionKey["pk"].S));
        Assert.Equal("b", Assert.Single(written.ItemCollectionMetrics[name]).ItemCollectionKey["pk"].S);

        var read = await Client.TransactGetItemsAsync(new TransactGetItemsRequest
        {
            TransactItems =
            [
                new TransactGetItem { Get = new Get { TableName = name, Key = Key("b", 1) } },
                new TransactGetItem { Get = new Get { TableName = arn, Key = Key("a", 1) } },
                new TransactGetItem { Get = new Get { TableName = arn, Key = Key("c", 1) } },
            ],
            ReturnConsumedCapacity = rcc,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal([name, arn], read.ConsumedCapacity.Select(c => c.TableName));
        Assert.Equal(2, read.ConsumedCapacity[0].ReadCapacityUnits);
        Assert.Equal(4, read.ConsumedCapacity[1].ReadCapacityUnits);
    }
}
