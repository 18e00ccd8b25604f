using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>Concurrent writers share commits and concurrent readers see only committed, complete items.</summary>
public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentPutsAreAllAcknowledgedAndCounted(bool inMemory)
    {
        var directory = Path.Combine(Path.GetTempPath(), "handshake-conc-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new DynamoServerOptions { Store = inMemory ? new DynamoStoreOptions { InMemory = true } : new DynamoStoreOptions { DataDirectory = directory } };
            await using var server = await DynamoServer.StartAsync(options).WaitAsync(ServerFixture.Timeout);
            using var client = ServerFixture.NewClient(server.Endpoint);
            await SdkItemTests.CreateTableAsync(client, "concurrent");

            const int Writers = 16, PerWriter = 25;
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < PerWriter; i++)
                {
                    await client.PutItemAsync("concurrent", new()
                    {
                        ["pk"] = new AttributeValue { S = $"w{w}-{i}" },
                        ["payload"] = new AttributeValue { S = new string('x', 100) },
                    }).WaitAsync(ServerFixture.Timeout);
                    // Read-your-write: an acknowledged write is visible to the next read at once.
                    var read = await client.GetItemAsync("concurrent", new() { ["pk"] = new AttributeValue { S = $"w{w}-{i}" } })
                        .WaitAsync(ServerFixture.Timeout);
                    if (!read.IsItemSet) throw new InvalidOperationException($"w{w}-{i} not visible after its PutItem returned");
                }
            }));
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120));

            var description = await client.DescribeTableAsync("concurrent").WaitAsync(ServerFixture.Timeout);
            Assert.Equal(Writers * PerWriter, description.Table.ItemCount);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ConditionalPutsRacingOnOneKeyHaveExactlyOneWinner()
    {
        await using var server = await DynamoServer.StartAsync(new DynamoServerOptions()).WaitAsync(ServerFixture.Timeout);
        using var client = ServerFixture.NewClient(server.Endpoint);
        await SdkItemTests.CreateTableAsync(client, "race");
        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await client.PutItemAsync(new PutItemRequest
                {
                    TableName = "race",
                    Item = new() { ["pk"] = new AttributeValue { S = "lock" }, ["owner"] = new AttributeValue { N = i.ToString() } },
                    ConditionExpression = "attribute_not_exists(pk)",
                }).WaitAsync(ServerFixture.Timeout);
                return true;
            }
            catch (ConditionalCheckFailedException)
            {
                return false;
            }
        }));
        var results = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, results.Count(won => won));
    }
}
