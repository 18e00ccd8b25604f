using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Handshake.Runtime.AwsSdk;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>The SDK helper's pool and its connection count, checked against the server's own count.</summary>
public sealed class PooledHttpClientFactoryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int Calls = 20;

    private static AmazonDynamoDBClient Client(FakeDynamoEndpoint endpoint, PooledHttpClientFactory factory) =>
        new(new BasicAWSCredentials("AKIDTEST", "secret"), new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.Endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = factory,
        });

    private static PutItemRequest Put(int i) => new()
    {
        TableName = "records",
        Item = new Dictionary<string, AttributeValue> { ["id"] = new AttributeValue { S = $"id-{i}" } },
    };

    [Fact]
    public async Task Sequential_calls_reuse_one_counted_connection()
    {
        await using var endpoint = await FakeDynamoEndpoint.StartAsync();
        using var factory = new PooledHttpClientFactory();
        using var client = Client(endpoint, factory);

        for (var i = 0; i < Calls; i++)
        {
            await client.PutItemAsync(Put(i)).WaitAsync(Timeout);
        }

        Assert.Equal(1, factory.ConnectionsOpened);
        Assert.Equal(1, endpoint.Connections);
        Assert.Equal(Calls, endpoint.Requests.Count);
    }

    [Fact]
    public async Task Clients_built_per_invocation_share_the_factorys_pool()
    {
        await using var endpoint = await FakeDynamoEndpoint.StartAsync();
        using var factory = new PooledHttpClientFactory();

        for (var i = 0; i < Calls; i++)
        {
            using var client = Client(endpoint, factory);
            await client.PutItemAsync(Put(i)).WaitAsync(Timeout);
        }

        Assert.Equal(1, factory.ConnectionsOpened);
        Assert.Equal(1, endpoint.Connections);
    }

    [Fact]
    public async Task Zero_idle_timeout_opens_and_counts_a_connection_per_call()
    {
        await using var endpoint = await FakeDynamoEndpoint.StartAsync();
        using var factory = new PooledHttpClientFactory(TimeSpan.Zero);
        using var client = Client(endpoint, factory);

        for (var i = 0; i < Calls; i++)
        {
            await client.PutItemAsync(Put(i)).WaitAsync(Timeout);
        }

        Assert.Equal(Calls, factory.ConnectionsOpened);
        Assert.Equal(Calls, endpoint.Connections);
    }

    [Fact]
    public void Negative_idle_timeout_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PooledHttpClientFactory(TimeSpan.FromSeconds(-1)));
    }
}
