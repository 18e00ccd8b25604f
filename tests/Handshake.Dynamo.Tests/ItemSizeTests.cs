using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Tests;

public sealed class ItemSizeTests
{
    private static Model.AttributeValue S(string s) => Model.AttributeValue.FromString(s);

    [Fact]
    public void SizesFollowDynamoDbRules()
    {
        var item = new Dictionary<string, Model.AttributeValue>
        {
            ["name"] = S("héllo"),                                                     // 4 + 6 (é is 2 bytes)
            ["bin"] = Model.AttributeValue.FromBinary([1, 2, 3]),                      // 3 + 3
            ["ok"] = Model.AttributeValue.True,                                         // 2 + 1
            ["nil"] = Model.AttributeValue.Null,                                        // 3 + 1
            ["list"] = Model.AttributeValue.FromList([S("ab"), S("c")]),               // 4 + 3 + (1+2) + (1+1)
            ["map"] = Model.AttributeValue.FromMap(new() { ["k"] = S("v") }),           // 3 + 3 + 1 + 1 + 1
            ["set"] = Model.AttributeValue.FromStringSet(["x", "yz"]),                  // 3 + 3
        };
        Assert.Equal(10 + 6 + 3 + 4 + 12 + 9 + 6, ItemSize.Of(item));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task CreationDateTimeComesFromTheInjectedClock()
    {
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await using var server = await DynamoServer.StartAsync(new DynamoServerOptions
        {
            Store = new DynamoStoreOptions { InMemory = true, Clock = new FixedClock(now), Region = "eu-west-1", AccountId = "123456789012" },
        }).WaitAsync(ServerFixture.Timeout);
        using var client = ServerFixture.NewClient(server.Endpoint);
        await SdkItemTests.CreateTableAsync(client, "clocked");
        var table = (await client.DescribeTableAsync("clocked").WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(now.UtcDateTime, table.CreationDateTime!.Value.ToUniversalTime());
        Assert.Equal("arn:aws:dynamodb:eu-west-1:123456789012:table/clocked", table.TableArn);
        Assert.Equal(now.UtcDateTime, table.BillingModeSummary.LastUpdateToPayPerRequestDateTime!.Value.ToUniversalTime());
    }
}
