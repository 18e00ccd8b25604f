using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests.Streams;

/// <summary>
/// Stream records are rows committed with the item writes, so they survive a restart of the store: the same records,
/// the same stream, iterators issued before it still valid, and sequence numbers that keep growing after it.
/// </summary>
public sealed class StreamsDurabilityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-streams-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private Task<DynamoServer> StartAsync() =>
        DynamoServer.StartAsync(new DynamoServerOptions { Store = new DynamoStoreOptions { DataDirectory = _directory } }).WaitAsync(ServerFixture.Timeout);

    private static async Task<(string Iterator, List<(string Key, string Sequence)> Records, string? Next)> ReadAsync(HttpClient http, string? iterator, string arn)
    {
        if (iterator is null)
        {
            var (_, description) = await StreamsTests.StreamsAsync(http, "DescribeStream", new { StreamArn = arn });
            var shard = description.GetProperty("StreamDescription").GetProperty("Shards")[0].GetProperty("ShardId").GetString();
            var (_, issued) = await StreamsTests.StreamsAsync(http, "GetShardIterator", new { StreamArn = arn, ShardId = shard, ShardIteratorType = "TRIM_HORIZON" });
            iterator = issued.GetProperty("ShardIterator").GetString()!;
        }
        var (status, page) = await StreamsTests.StreamsAsync(http, "GetRecords", new { ShardIterator = iterator });
        Assert.True(status == 200, page.ToString());
        var records = page.GetProperty("Records").EnumerateArray()
            .Select(r => (r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()!,
                r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!))
            .ToList();
        return (iterator, records, page.TryGetProperty("NextShardIterator", out var next) ? next.GetString() : null);
    }

    [Fact]
    public async Task RecordsAndIteratorsSurviveARestartAndSequenceNumbersKeepGrowing()
    {
        string arn, iterator;
        List<(string Key, string Sequence)> before;
        await using (var server = await StartAsync())
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            using var http = new HttpClient { BaseAddress = server.Endpoint, Timeout = ServerFixture.Timeout };
            arn = await StreamsTests.CreateStreamedTableAsync(client, "durable", "NEW_IMAGE");
            foreach (var key in new[] { "a", "b" })
                await client.PutItemAsync(new PutItemRequest { TableName = "durable", Item = new() { ["pk"] = StreamsTests.S(key) } }).WaitAsync(ServerFixture.Timeout);
            (iterator, before, _) = await ReadAsync(http, null, arn);
        }
        Assert.Equal(["a", "b"], before.Select(r => r.Key));

        await using (var server = await StartAsync())
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            using var http = new HttpClient { BaseAddress = server.Endpoint, Timeout = ServerFixture.Timeout };
            var table = (await client.DescribeTableAsync("durable").WaitAsync(ServerFixture.Timeout)).Table;
            Assert.Equal(arn, table.LatestStreamArn);
            Assert.True(table.StreamSpecification.StreamEnabled);

            var (_, after, next) = await ReadAsync(http, iterator, arn);
            Assert.Equal(before, after);

            await client.PutItemAsync(new PutItemRequest { TableName = "durable", Item = new() { ["pk"] = StreamsTests.S("c") } }).WaitAsync(ServerFixture.Timeout);
            var (_, added, _) = await ReadAsync(http, next, arn);
            Assert.Equal("c", Assert.Single(added).Key);
            Assert.True(string.CompareOrdinal(before[^1].Sequence, added[0].Sequence) < 0, $"{before[^1].Sequence} then {added[0].Sequence}");
        }
    }
}
