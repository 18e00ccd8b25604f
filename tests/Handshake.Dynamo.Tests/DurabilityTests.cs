using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

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
        }
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
