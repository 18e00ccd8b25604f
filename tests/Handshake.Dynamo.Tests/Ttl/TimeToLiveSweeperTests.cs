using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Ttl;

/// <summary>The TTL sweeper on a fake clock: what expires, when, and that indexes follow. No test waits on real time.</summary>
public sealed class TimeToLiveSweeperTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private DynamoServer _server = null!;
    private AmazonDynamoDBClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await DynamoServer.StartAsync(new DynamoServerOptions
        {
            Store = new DynamoStoreOptions { InMemory = true, Clock = _clock },
        }).WaitAsync(ServerFixture.Timeout);
        _client = ServerFixture.NewClient(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().AsTask().WaitAsync(ServerFixture.Timeout);
    }

    private static string Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString();

    private async Task<string> CreateTableWithTtlAsync(string name, bool enable = true)
    {
        await SdkItemTests.CreateTableAsync(_client, name);
        if (enable)
        {
            await _client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = name,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
            }).WaitAsync(ServerFixture.Timeout);
        }
        return name;
    }

    private Task PutAsync(string table, string pk, AttributeValue? expires, string? category = null)
    {
        var item = new Dictionary<string, AttributeValue> { ["pk"] = S(pk) };
        if (expires is not null) item["expires"] = expires;
        if (category is not null) item["category"] = S(category);
        return _client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }).WaitAsync(ServerFixture.Timeout);
    }

    private async Task<bool> ExistsAsync(string table, string pk) =>
        (await _client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = S(pk) }, ConsistentRead = true })
            .WaitAsync(ServerFixture.Timeout)).IsItemSet;

    [Fact]
    public async Task TheBackgroundSweeperDeletesOnlyExpiredNumberTimestamps()
    {
        var table = await CreateTableWithTtlAsync("ttl");
        await PutAsync(table, "past", N(Epoch(Start.AddSeconds(-10))));
        await PutAsync(table, "soon", N(Epoch(Start.AddSeconds(90))));
        await PutAsync(table, "later", N(Epoch(Start.AddHours(1))));
        await PutAsync(table, "string", S(Epoch(Start.AddSeconds(-10))));
        await PutAsync(table, "none", null);
        await PutAsync(table, "ancient", N(Epoch(Start.AddYears(-6)))); // more than five years ago: not processed
        Assert.True(await ExistsAsync(table, "past")); // expired items stay readable until swept

        var sweep = _server.Store.NextBackgroundSweep;
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await sweep.WaitAsync(ServerFixture.Timeout));
        Assert.False(await ExistsAsync(table, "past"));

        sweep = _server.Store.NextBackgroundSweep;
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await sweep.WaitAsync(ServerFixture.Timeout));
        Assert.False(await ExistsAsync(table, "soon"));

        foreach (var pk in new[] { "later", "string", "none", "ancient" }) Assert.True(await ExistsAsync(table, pk));
        var description = (await _client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(4, description.ItemCount);
    }

    [Fact]
    public async Task SweepingNowHonoursTheClockAndSkipsTablesWithoutTtl()
    {
        var withTtl = await CreateTableWithTtlAsync("with-ttl");
        var without = await CreateTableWithTtlAsync("without-ttl", enable: false);
        for (int i = 0; i < 1200; i += 25)
        {
            var requests = new List<WriteRequest>();
            for (int j = i; j < i + 25; j++)
                requests.Add(new WriteRequest(new PutRequest(new() { ["pk"] = S("k" + j), ["expires"] = N(Epoch(Start.AddSeconds(j % 2 == 0 ? 5 : 500))) })));
            await _client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [withTtl] = requests } }).WaitAsync(ServerFixture.Timeout);
        }
        await PutAsync(without, "old", N(Epoch(Start.AddSeconds(-100))));

        Assert.Equal(0, await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(600, await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Equal(0, await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout));
        Assert.True(await ExistsAsync(without, "old"));
        Assert.Equal(600, (await _client.DescribeTableAsync(withTtl).WaitAsync(ServerFixture.Timeout)).Table.ItemCount);

        // Renewed before the sweep: survives.
        await PutAsync(withTtl, "k1", N(Epoch(Start.AddDays(1))));
        // Past the sweep interval too: the background sweep and this one share the work, never both delete.
        var background = _server.Store.NextBackgroundSweep;
        _clock.Advance(TimeSpan.FromSeconds(1000));
        int now = await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout);
        Assert.Equal(599, now + await background.WaitAsync(ServerFixture.Timeout));
        Assert.True(await ExistsAsync(withTtl, "k1"));
    }

    [Fact]
    public async Task ExpiredItemsLeaveTheirIndexes()
    {
        var table = await CreateAsync(_client, "indexed");
        await _client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
        {
            TableName = table,
            TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
        }).WaitAsync(ServerFixture.Timeout);
        for (int i = 0; i < 4; i++)
        {
            await _client.PutItemAsync(new PutItemRequest
            {
                TableName = table,
                Item = new() { ["pk"] = S("p"), ["sk"] = N(i.ToString()), ["category"] = S("c"), ["expires"] = N(Epoch(Start.AddSeconds(i < 3 ? -1 : 100))) },
            }).WaitAsync(ServerFixture.Timeout);
        }
        Assert.Equal(3, await _server.Store.SweepExpiredItemsAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Single(Rows(_server.Store, table, CategoryGsi));
        var description = (await _client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(1, description.GlobalSecondaryIndexes.Single(g => g.IndexName == CategoryGsi).ItemCount);
    }
}
