using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>Index rows follow every put, overwrite and delete; projections; sparse indexes; counters; capacity.</summary>
[Collection(ServerCollection.Name)]
public sealed class IndexMaintenanceTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private DynamoStore Store => fixture.Server.Store;

    private static Dictionary<string, AttributeValue> FullItem(string pk, string sk, string owner) => new()
    {
        ["pk"] = S(pk), ["sk"] = N(sk), ["owner"] = S(owner), ["created"] = N("10"), ["status"] = S("open"),
        ["note"] = S("n"), ["category"] = S("books"), ["extra"] = S("x"),
    };

    [Fact]
    public async Task PutsOverwritesAndDeletesKeepEveryIndexInStep()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = FullItem("a", "1", "o1") }).WaitAsync(ServerFixture.Timeout);

        var owner = Assert.Single(Rows(Store, table, OwnerGsi));
        Assert.Equal("o1", Encoding.UTF8.GetString(owner.Hash));
        Assert.Equal(["created", "owner", "pk", "sk"], owner.Item.Keys.Order(StringComparer.Ordinal));
        var lsi = Assert.Single(Rows(Store, table, Lsi));
        Assert.Equal(["note", "pk", "sk", "status"], lsi.Item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(8, Assert.Single(Rows(Store, table, CategoryGsi)).Item.Count);

        // Overwrite: the item leaves the owner index (no owner now) and moves in the category index.
        var moved = FullItem("a", "1", "o1");
        moved.Remove("owner");
        moved["category"] = S("music");
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = moved }).WaitAsync(ServerFixture.Timeout);
        Assert.Empty(Rows(Store, table, OwnerGsi));
        Assert.Equal("music", Encoding.UTF8.GetString(Assert.Single(Rows(Store, table, CategoryGsi)).Hash));

        // Back into the owner index under another owner.
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = FullItem("a", "1", "o2") }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("o2", Encoding.UTF8.GetString(Assert.Single(Rows(Store, table, OwnerGsi)).Hash));

        await Client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = new() { ["pk"] = S("a"), ["sk"] = N("1") } })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Empty(Rows(Store, table, OwnerGsi));
        Assert.Empty(Rows(Store, table, Lsi));
        Assert.Empty(Rows(Store, table, CategoryGsi));

        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        foreach (var gsi in description.GlobalSecondaryIndexes)
        {
            Assert.Equal(0, gsi.ItemCount);
            Assert.Equal(0, gsi.IndexSizeBytes);
        }
        Assert.Equal(0, Assert.Single(description.LocalSecondaryIndexes).ItemCount);
    }

    [Fact]
    public async Task ItemsWithoutTheIndexKeyAreNotIndexed()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        for (int i = 0; i < 10; i++)
        {
            var item = new Dictionary<string, AttributeValue> { ["pk"] = S("p"), ["sk"] = N(i.ToString()) };
            if (i % 2 == 0) item["category"] = S("c" + i);
            if (i % 5 == 0) item["owner"] = S("o"); // no "created": not in the owner index either
            await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }).WaitAsync(ServerFixture.Timeout);
        }
        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(10, description.ItemCount);
        Assert.Equal(5, description.GlobalSecondaryIndexes.Single(g => g.IndexName == CategoryGsi).ItemCount);
        Assert.Equal(0, description.GlobalSecondaryIndexes.Single(g => g.IndexName == OwnerGsi).ItemCount);
        Assert.Equal(0, description.LocalSecondaryIndexes.Single().ItemCount);
        Assert.Equal(5, Rows(Store, table, CategoryGsi).Count);
    }

    [Fact]
    public async Task DescribeTableDescribesEachIndexWithItsArnStatusAndSize()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = FullItem("a", "1", "o1") }).WaitAsync(ServerFixture.Timeout);
        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        var category = description.GlobalSecondaryIndexes.Single(g => g.IndexName == CategoryGsi);
        Assert.Equal(description.TableArn + "/index/" + CategoryGsi, category.IndexArn);
        Assert.Equal(IndexStatus.ACTIVE, category.IndexStatus);
        Assert.Equal(1, category.ItemCount);
        Assert.Equal(description.TableSizeBytes, category.IndexSizeBytes); // ALL projects the whole item
        var owner = description.GlobalSecondaryIndexes.Single(g => g.IndexName == OwnerGsi);
        Assert.True(owner.IndexSizeBytes is > 0 && owner.IndexSizeBytes < category.IndexSizeBytes);
        var lsi = Assert.Single(description.LocalSecondaryIndexes);
        Assert.Equal(description.TableArn + "/index/" + Lsi, lsi.IndexArn);
        Assert.Equal(["note"], lsi.Projection.NonKeyAttributes);
    }

    [Fact]
    public async Task WrongTypedOrEmptyIndexKeysAreRefusedAndWriteNothing()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        var (_, type, message) = await ErrorAsync(fixture, "PutItem",
            $$$$"""{"TableName":"{{{{table}}}}","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"owner":{"N":"5"},"category":{"S":""}}}""");
        Assert.Equal("ValidationException", type);
        Assert.Equal("One or more parameter values were invalid: Type mismatch for Index Key owner Expected: S Actual: N IndexName: gsi-owner", message);

        (_, type, message) = await ErrorAsync(fixture, "PutItem",
            $$$$"""{"TableName":"{{{{table}}}}","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"category":{"S":""}}}""");
        Assert.Equal("ValidationException", type);
        Assert.Equal("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi-category, IndexKey: category", message);

        (_, _, message) = await ErrorAsync(fixture, "BatchWriteItem",
            $$$$$"""{"RequestItems":{"{{{{{table}}}}}":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}},{"PutRequest":{"Item":{"pk":{"S":"c"},"sk":{"N":"1"},"status":{"SS":["x"]}}}}]}}""");
        Assert.Equal("One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: SS IndexName: lsi-status", message);

        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(0, description.ItemCount);
        Assert.Empty(Rows(Store, table, CategoryGsi));
    }

    [Fact]
    public async Task IndexesModeReportsTheWriteCapacityOfEachIndex()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        var put = await Client.PutItemAsync(new PutItemRequest
        {
            TableName = table, Item = FullItem("a", "1", "o1"), ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(4, put.ConsumedCapacity.CapacityUnits);
        Assert.Equal(1, put.ConsumedCapacity.Table.CapacityUnits);
        Assert.Equal(1, put.ConsumedCapacity.GlobalSecondaryIndexes[OwnerGsi].CapacityUnits);
        Assert.Equal(1, put.ConsumedCapacity.GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
        Assert.Equal(1, put.ConsumedCapacity.LocalSecondaryIndexes[Lsi].CapacityUnits);

        // A new owner moves the item within the owner index: a delete plus a put there.
        var move = await Client.PutItemAsync(new PutItemRequest
        {
            TableName = table, Item = FullItem("a", "1", "o2"), ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(2, move.ConsumedCapacity.GlobalSecondaryIndexes[OwnerGsi].CapacityUnits);
        Assert.Equal(5, move.ConsumedCapacity.CapacityUnits);

        var total = await Client.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("a"), ["sk"] = N("1") }, ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(4, total.ConsumedCapacity.CapacityUnits);
        Assert.Null(total.ConsumedCapacity.Table);
    }

    [Fact]
    public async Task UpdatesMoveItemsBetweenIndexKeysAndRefuseEmptyOnes()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        var key = new Dictionary<string, AttributeValue> { ["pk"] = S("a"), ["sk"] = N("1") };
        var update = await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = key, UpdateExpression = "SET category = :c, note = :n",
            ExpressionAttributeValues = new() { [":c"] = S("books"), [":n"] = S("hello") },
            ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(1, update.ConsumedCapacity.GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
        Assert.Equal("books", Assert.Single(Rows(Store, table, CategoryGsi)).Item["category"].S);

        await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = key, UpdateExpression = "SET category = :c REMOVE note",
            ExpressionAttributeValues = new() { [":c"] = S("music") },
        }).WaitAsync(ServerFixture.Timeout);
        var row = Assert.Single(Rows(Store, table, CategoryGsi));
        Assert.Equal("music", row.Item["category"].S);
        Assert.False(row.Item.ContainsKey("note"));

        var (_, type, message) = await ErrorAsync(fixture, "UpdateItem", $$$$"""
            {"TableName":"{{{{table}}}}","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET category = :c","ExpressionAttributeValues":{":c":{"S":""}}}
            """);
        Assert.Equal("ValidationException", type);
        Assert.Equal("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value.", message);

        (_, _, message) = await ErrorAsync(fixture, "UpdateItem", $$$$"""
            {"TableName":"{{{{table}}}}","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET created = :c","ExpressionAttributeValues":{":c":{"S":"x"}}}
            """);
        Assert.Equal("One or more parameter values were invalid: Type mismatch for Index Key created Expected: N Actual: S IndexName: gsi-owner", message);
        Assert.Equal("music", Assert.Single(Rows(Store, table, CategoryGsi)).Item["category"].S);

        await Client.UpdateItemAsync(new UpdateItemRequest { TableName = table, Key = key, UpdateExpression = "REMOVE category" })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Empty(Rows(Store, table, CategoryGsi));
    }
}
