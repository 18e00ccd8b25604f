using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;

namespace Handshake.Dynamo.Tests;

/// <summary>The store on disk: data survives a restart; a damaged database is refused with a clear message.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private DynamoServerOptions OnDisk() => new() { Store = new DynamoStoreOptions { DataDirectory = _directory } };

    [Fact]
    public async Task TablesAndItemsSurviveARestart()
    {
        await using (var server = await DynamoServer.StartAsync(OnDisk()).WaitAsync(ServerFixture.Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            await SdkItemTests.CreateTableAsync(client, "durable", withRange: true);
            for (int i = 0; i < 20; i++)
            {
                await client.PutItemAsync("durable", new()
                {
                    ["pk"] = new AttributeValue { S = "p" },
                    ["sk"] = new AttributeValue { N = i.ToString() },
                    ["v"] = new AttributeValue { S = "value " + i },
                }).WaitAsync(ServerFixture.Timeout);
            }
            await client.DeleteItemAsync("durable", new() { ["pk"] = new AttributeValue { S = "p" }, ["sk"] = new AttributeValue { N = "3" } })
                .WaitAsync(ServerFixture.Timeout);
            await client.TagResourceAsync(new TagResourceRequest
            {
                ResourceArn = "arn:aws:dynamodb:us-east-1:000000000000:table/durable",
                Tags = [new Tag { Key = "team", Value = "store" }],
            }).WaitAsync(ServerFixture.Timeout);
            await client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
            {
                TableName = "durable",
                PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = 10 },
            }).WaitAsync(ServerFixture.Timeout);
            await client.CreateTableAsync(new CreateTableRequest
            {
                TableName = "ceilings", BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
                OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 100, MaxWriteRequestUnits = 200 },
                GlobalSecondaryIndexes = [new GlobalSecondaryIndex { IndexName = "by-g", KeySchema = [new KeySchemaElement("g", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY } }],
            }).WaitAsync(ServerFixture.Timeout);
            await client.UpdateTableAsync(new UpdateTableRequest
            {
                TableName = "ceilings",
                GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = "by-g", OnDemandThroughput = new OnDemandThroughput { MaxWriteRequestUnits = 30 }, WarmThroughput = new WarmThroughput { WriteUnitsPerSecond = 5000 } } }],
            }).WaitAsync(ServerFixture.Timeout);
            await client.UpdateTableAsync(new UpdateTableRequest { TableName = "ceilings", WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 15000 } })
                .WaitAsync(ServerFixture.Timeout);
        }

        await using (var server = await DynamoServer.StartAsync(OnDisk()).WaitAsync(ServerFixture.Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            var description = await client.DescribeTableAsync("durable").WaitAsync(ServerFixture.Timeout);
            var item = await client.GetItemAsync("durable", new() { ["pk"] = new AttributeValue { S = "p" }, ["sk"] = new AttributeValue { N = "7" } })
                .WaitAsync(ServerFixture.Timeout);
            var deleted = await client.GetItemAsync("durable", new() { ["pk"] = new AttributeValue { S = "p" }, ["sk"] = new AttributeValue { N = "3" } })
                .WaitAsync(ServerFixture.Timeout);
            var tags = await client.ListTagsOfResourceAsync(new ListTagsOfResourceRequest { ResourceArn = description.Table.TableArn })
                .WaitAsync(ServerFixture.Timeout);

            Assert.Equal(19, description.Table.ItemCount);
            Assert.Equal("value 7", item.Item["v"].S);
            Assert.False(deleted.IsItemSet);
            Assert.Equal("store", Assert.Single(tags.Tags).Value);
            Assert.Equal(2, description.Table.KeySchema.Count);
            var pitr = (await client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = "durable" })
                .WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription.PointInTimeRecoveryDescription;
            Assert.Equal(PointInTimeRecoveryStatus.ENABLED, pitr.PointInTimeRecoveryStatus);
            Assert.Equal(10, pitr.RecoveryPeriodInDays);
            var ceilings = (await client.DescribeTableAsync("ceilings").WaitAsync(ServerFixture.Timeout)).Table;
            Assert.Equal((100L, 200L), (ceilings.OnDemandThroughput.MaxReadRequestUnits!.Value, ceilings.OnDemandThroughput.MaxWriteRequestUnits!.Value));
            Assert.Equal((15000L, 4000L), (ceilings.WarmThroughput.ReadUnitsPerSecond!.Value, ceilings.WarmThroughput.WriteUnitsPerSecond!.Value));
            var index = Assert.Single(ceilings.GlobalSecondaryIndexes);
            Assert.Equal(((long?)null, 30L), (index.OnDemandThroughput.MaxReadRequestUnits, index.OnDemandThroughput.MaxWriteRequestUnits!.Value));
            Assert.Equal((12000L, 5000L), (index.WarmThroughput.ReadUnitsPerSecond!.Value, index.WarmThroughput.WriteUnitsPerSecond!.Value));
        }
    }

    [Fact]
    public async Task AClientRequestTokenStillAppliesItsTransactionOnceAfterARestart()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        DynamoServerOptions options = new() { Store = new DynamoStoreOptions { DataDirectory = _directory, Clock = clock } };
        static TransactWriteItemsRequest Add(string token, string amount) => new()
        {
            ClientRequestToken = token,
            TransactItems =
            [
                new() { Update = new Update { TableName = "ledger", Key = new() { ["pk"] = new AttributeValue { S = "a" } }, UpdateExpression = "ADD n :a", ExpressionAttributeValues = new() { [":a"] = new AttributeValue { N = amount } } } },
            ],
        };
        async Task<string> AfterRestartAsync(Func<AmazonDynamoDBClient, Task> act)
        {
            await using var server = await DynamoServer.StartAsync(options).WaitAsync(ServerFixture.Timeout);
            using var client = ServerFixture.NewClient(server.Endpoint);
            await act(client);
            var item = await client.GetItemAsync(new GetItemRequest { TableName = "ledger", Key = new() { ["pk"] = new AttributeValue { S = "a" } }, ConsistentRead = true })
                .WaitAsync(ServerFixture.Timeout);
            return item.Item["n"].N;
        }

        Assert.Equal("1", await AfterRestartAsync(async client =>
        {
            await SdkItemTests.CreateTableAsync(client, "ledger");
            await client.TransactWriteItemsAsync(Add("retry-me", "1")).WaitAsync(ServerFixture.Timeout);
        }));
        // The client's retry reaches a restarted store: the token is remembered, nothing is applied twice, and the
        // same token with another payload is refused.
        Assert.Equal("1", await AfterRestartAsync(async client =>
        {
            await client.TransactWriteItemsAsync(Add("retry-me", "1")).WaitAsync(ServerFixture.Timeout);
            await Assert.ThrowsAsync<IdempotentParameterMismatchException>(() => client.TransactWriteItemsAsync(Add("retry-me", "5")).WaitAsync(ServerFixture.Timeout));
        }));
        // Ten minutes on, the token is forgotten and the same request applies again.
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("2", await AfterRestartAsync(client => client.TransactWriteItemsAsync(Add("retry-me", "1")).WaitAsync(ServerFixture.Timeout)));
    }

    [Fact]
    public async Task TheDatabaseIsOneFileInTheDataDirectory()
    {
        await using (var server = await DynamoServer.StartAsync(OnDisk()).WaitAsync(ServerFixture.Timeout))
        {
            Assert.Equal(Path.Combine(_directory, "handshake.db"), server.Store.DatabasePath);
        }
        Assert.True(File.Exists(Path.Combine(_directory, "handshake.db")));
    }

    [Fact]
    public void ADamagedDatabaseIsRefusedWithAOneLineMessage()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "handshake.db"), new byte[4096]);
        var error = Assert.Throws<DynamoStoreOpenException>(() => DynamoStore.Open(new DynamoStoreOptions { DataDirectory = _directory }));
        Assert.Contains("damaged", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task ATruncatedDatabaseIsRefused()
    {
        await using (var store = DynamoStore.Open(new DynamoStoreOptions { DataDirectory = _directory }))
        {
        }
        var path = Path.Combine(_directory, "handshake.db");
        var bytes = File.ReadAllBytes(path);
        // Keep the header, destroy the pages.
        for (int i = 100; i < bytes.Length; i++) bytes[i] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Throws<DynamoStoreOpenException>(() => DynamoStore.Open(new DynamoStoreOptions { DataDirectory = _directory }));
    }
}
