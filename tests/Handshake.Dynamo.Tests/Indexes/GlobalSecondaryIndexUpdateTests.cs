using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>UpdateTable GlobalSecondaryIndexUpdates: create with backfill (CREATING, then ACTIVE), delete, errors.</summary>
[Collection(ServerCollection.Name)]
public sealed class GlobalSecondaryIndexUpdateTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private static UpdateTableRequest CreateColorIndex(string table) => new()
    {
        TableName = table,
        AttributeDefinitions = [new AttributeDefinition("color", ScalarAttributeType.S)],
        GlobalSecondaryIndexUpdates =
        [
            new GlobalSecondaryIndexUpdate
            {
                Create = new CreateGlobalSecondaryIndexAction
                {
                    IndexName = "color-index",
                    KeySchema = [new KeySchemaElement("color", KeyType.HASH)],
                    Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
                },
            },
        ],
    };

    [Fact]
    public async Task ANewIndexIsBackfilledFromTheExistingItemsThenActive()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        const int Items = 2100; // more than one backfill chunk
        int colored = 0;
        for (int batch = 0; batch < Items / 25; batch++)
        {
            var requests = new List<WriteRequest>();
            for (int i = 0; i < 25; i++)
            {
                int n = batch * 25 + i;
                var item = new Dictionary<string, AttributeValue> { ["pk"] = S("item" + n) };
                if (n % 3 == 0) { item["color"] = S("c" + (n % 7)); colored++; }
                else if (n % 3 == 1) item["color"] = S(""); // empty non-key values were fine before the index existed
                requests.Add(new WriteRequest(new PutRequest(item)));
            }
            await Client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = requests } }).WaitAsync(ServerFixture.Timeout);
        }

        var update = await Client.UpdateTableAsync(CreateColorIndex(table)).WaitAsync(ServerFixture.Timeout);
        var created = Assert.Single(update.TableDescription.GlobalSecondaryIndexes);
        Assert.Equal("color-index", created.IndexName);
        Assert.Contains(created.IndexStatus.Value, new[] { "CREATING", "ACTIVE" });

        // Written while the index builds: maintained by the write itself.
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("late"), ["color"] = S("red") } })
            .WaitAsync(ServerFixture.Timeout);
        await fixture.Server.Store.WhenIndexesActiveAsync().WaitAsync(ServerFixture.Timeout);

        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        var index = Assert.Single(description.GlobalSecondaryIndexes);
        Assert.Equal(IndexStatus.ACTIVE, index.IndexStatus);
        Assert.Equal(colored + 1, index.ItemCount);
        Assert.Equal(colored + 1, Rows(fixture.Server.Store, table, "color-index").Count);
        Assert.Contains(description.AttributeDefinitions, d => d.AttributeName == "color");

        // Now an empty color is an index key value: refused.
        var (_, _, message) = await ErrorAsync(fixture, "PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"x"},"color":{"S":""}}}""");
        Assert.Equal("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: color-index, IndexKey: color", message);

        await Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = table,
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Delete = new DeleteGlobalSecondaryIndexAction { IndexName = "color-index" } }],
        }).WaitAsync(ServerFixture.Timeout);
        description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.True(description.GlobalSecondaryIndexes is null or { Count: 0 });
        Assert.DoesNotContain(description.AttributeDefinitions, d => d.AttributeName == "color");
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("x"), ["color"] = S("") } })
            .WaitAsync(ServerFixture.Timeout);
    }

    [Fact]
    public async Task IndexUpdatesAreCheckedAgainstTheTable()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        var (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","AttributeDefinitions":[{"AttributeName":"owner","AttributeType":"S"}],
             "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gsi-owner","KeySchema":[{"AttributeName":"owner","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}
            """);
        Assert.Equal(("ValidationException", "Attempting to create an index which already exists"), (type, message));

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"nope"}}]}
            """);
        Assert.Equal(("ResourceNotFoundException", "Requested resource not found: Index: nope not found"), (type, message));

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"lsi-status"}}]}
            """);
        Assert.Equal(("ValidationException", "Cannot delete an index that is not a GlobalSecondaryIndex: lsi-status"), (type, message));

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"gsi-owner"}},{"Delete":{"IndexName":"gsi-category"}}]}
            """);
        Assert.Equal(("LimitExceededException", "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"), (type, message));

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"gsi-owner"}},{"Delete":{"IndexName":"gsi-owner"}}]}
            """);
        Assert.Equal("One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: gsi-owner", message);

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"by-color","KeySchema":[{"AttributeName":"color","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}
            """);
        Assert.Equal("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [color], AttributeDefinitions: []", message);

        (_, type, message) = await ErrorAsync(fixture, "UpdateTable", $$$$$"""
            {"TableName":"{{{{{table}}}}}","GlobalSecondaryIndexUpdates":[{}]}
            """);
        Assert.Equal("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null", message);

        var description = (await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(2, description.GlobalSecondaryIndexes.Count);
    }

    [Fact]
    public async Task IndexesAndTheirCountersSurviveARestart()
    {
        var directory = Directory.CreateTempSubdirectory("handshake-index-");
        try
        {
            var options = new DynamoServerOptions { Store = new DynamoStoreOptions { DataDirectory = directory.FullName } };
            await using (var server = await DynamoServer.StartAsync(options).WaitAsync(ServerFixture.Timeout))
            {
                using var client = ServerFixture.NewClient(server.Endpoint);
                await CreateAsync(client, "persisted");
                for (int i = 0; i < 3; i++)
                {
                    await client.PutItemAsync(new PutItemRequest
                    {
                        TableName = "persisted",
                        Item = new() { ["pk"] = S("p"), ["sk"] = N(i.ToString()), ["category"] = S("c"), ["owner"] = S("o"), ["created"] = N("1") },
                    }).WaitAsync(ServerFixture.Timeout);
                }
            }
            await using (var server = await DynamoServer.StartAsync(options).WaitAsync(ServerFixture.Timeout))
            {
                using var client = ServerFixture.NewClient(server.Endpoint);
                var description = (await client.DescribeTableAsync("persisted").WaitAsync(ServerFixture.Timeout)).Table;
                Assert.All(description.GlobalSecondaryIndexes, g => Assert.Equal(3, g.ItemCount));
                Assert.Equal(3, Rows(server.Store, "persisted", OwnerGsi).Count);
                await client.DeleteItemAsync(new DeleteItemRequest { TableName = "persisted", Key = new() { ["pk"] = S("p"), ["sk"] = N("0") } })
                    .WaitAsync(ServerFixture.Timeout);
                Assert.Equal(2, Rows(server.Store, "persisted", CategoryGsi).Count);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
