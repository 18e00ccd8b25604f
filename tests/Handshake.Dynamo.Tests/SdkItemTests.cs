using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

[Collection(ServerCollection.Name)]
public sealed class SdkItemTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    internal static async Task<string> CreateTableAsync(AmazonDynamoDBClient client, string name, bool withRange = false, ScalarAttributeType? hashType = null)
    {
        var request = new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("pk", hashType ?? ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
        };
        if (withRange)
        {
            request.AttributeDefinitions.Add(new AttributeDefinition("sk", ScalarAttributeType.N));
            request.KeySchema.Add(new KeySchemaElement("sk", KeyType.RANGE));
        }
        await client.CreateTableAsync(request).WaitAsync(ServerFixture.Timeout);
        return name;
    }

    [Fact]
    public async Task ProjectionPathsThatConflictAreRefusedAndDistinctOnesRead()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName());
        var doc = new AttributeValue { M = new() { ["b"] = new AttributeValue { S = "x" }, ["c"] = new AttributeValue { S = "y" } } };
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = new AttributeValue { S = "a" }, ["a"] = doc } }).WaitAsync(ServerFixture.Timeout);
        var key = new Dictionary<string, AttributeValue> { ["pk"] = new AttributeValue { S = "a" } };

        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ProjectionExpression = "a.b, a[1]" })
            .WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]", e.Message);
        var item = (await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ProjectionExpression = "a.b, a.c" }).WaitAsync(ServerFixture.Timeout)).Item;
        Assert.Equal(["b", "c"], item["a"].M.Keys.Order());
    }

    [Fact]
    public async Task PutThenGetReturnsTheItemWithCanonicalNumbers()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new()
            {
                ["pk"] = new AttributeValue { S = "a" },
                ["n"] = new AttributeValue { N = "007.50" },
                ["big"] = new AttributeValue { N = "1e3" },
                ["flag"] = new AttributeValue { BOOL = true },
                ["tags"] = new AttributeValue { SS = ["x", "y"] },
                ["nested"] = new AttributeValue { M = new() { ["l"] = new AttributeValue { L = [new AttributeValue { N = "-0" }] } } },
            },
        }).WaitAsync(ServerFixture.Timeout);

        var got = await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = new AttributeValue { S = "a" } } })
            .WaitAsync(ServerFixture.Timeout);

        Assert.True(got.IsItemSet);
        Assert.Equal("7.5", got.Item["n"].N);
        Assert.Equal("1000", got.Item["big"].N);
        Assert.True(got.Item["flag"].BOOL);
        Assert.Equal(["x", "y"], got.Item["tags"].SS);
        Assert.Equal("0", got.Item["nested"].M["l"].L[0].N);
    }

    [Fact]
    public async Task GetOfAMissingItemHasNoItem()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName());
        var got = await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = new AttributeValue { S = "none" } } })
            .WaitAsync(ServerFixture.Timeout);
        Assert.False(got.IsItemSet);
    }

    [Fact]
    public async Task NumberKeysCompareByValue()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName(), hashType: ScalarAttributeType.N);
        await Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue { N = "1e3" }, ["v"] = new AttributeValue { S = "first" } }).WaitAsync(ServerFixture.Timeout);
        await Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue { N = "+001000.000" }, ["v"] = new AttributeValue { S = "second" } }).WaitAsync(ServerFixture.Timeout);

        var got = await Client.GetItemAsync(table, new() { ["pk"] = new AttributeValue { N = "1000" } }).WaitAsync(ServerFixture.Timeout);
        var description = await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout);

        Assert.Equal("second", got.Item["v"].S);
        Assert.Equal("1000", got.Item["pk"].N);
        Assert.Equal(1, description.Table.ItemCount);
    }

    [Fact]
    public async Task ConditionalPutFailsWhenTheItemExists()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName());
        var put = new PutItemRequest
        {
            TableName = table,
            Item = new() { ["pk"] = new AttributeValue { S = "k" } },
            ConditionExpression = "attribute_not_exists(#p)",
            ExpressionAttributeNames = new() { ["#p"] = "pk" },
        };
        await Client.PutItemAsync(put).WaitAsync(ServerFixture.Timeout);

        var error = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.PutItemAsync(put).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("The conditional request failed", error.Message);
    }

    [Fact]
    public async Task DeleteReturnsTheOldItemAndRemovesIt()
    {
        var table = await CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        var key = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "p" }, ["sk"] = new() { N = "1" } };
        await Client.PutItemAsync(table, new(key) { ["v"] = new AttributeValue { S = "x" } }).WaitAsync(ServerFixture.Timeout);

        var deleted = await Client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = key, ReturnValues = ReturnValue.ALL_OLD })
            .WaitAsync(ServerFixture.Timeout);
        var after = await Client.GetItemAsync(table, key).WaitAsync(ServerFixture.Timeout);
        var description = await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout);

        Assert.Equal("x", deleted.Attributes["v"].S);
        Assert.False(after.IsItemSet);
        Assert.Equal(0, description.Table.ItemCount);
        Assert.Equal(0, description.Table.TableSizeBytes);
    }

    [Fact]
    public async Task MissingTableIsResourceNotFound()
    {
        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(() =>
            Client.GetItemAsync("no-such-table", new() { ["pk"] = new AttributeValue { S = "a" } }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Requested resource not found", error.Message);
    }
}
