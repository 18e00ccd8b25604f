using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Handshake.Composition;

namespace Handshake.Reliability.Tests.Infrastructure;

/// <summary>The composed server (store, host, admin) in-process on 127.0.0.1:0, with an SDK client and a raw one.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(HandshakeServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.Endpoint, Timeout = Timeouts.Default };
        // Under strict auth the client must sign with a key the server knows: the first configured one.
        (string key, string secret) = server.Options.Credentials.Count > 0
            ? (server.Options.Credentials.First().Key, server.Options.Credentials.First().Value)
            : ("reliability", "reliability");
        Client = NewClient(server.Endpoint, key, secret);
    }

    public HandshakeServer Server { get; }

    public HttpClient Http { get; }

    public AmazonDynamoDBClient Client { get; }

    public static async Task<RunningServer> StartAsync(HandshakeServerOptions? options = null) =>
        new(await HandshakeServer.StartAsync(options ?? new HandshakeServerOptions { InMemory = true }).WaitAsync(Timeouts.Default));

    public static AmazonDynamoDBClient NewClient(Uri endpoint, string accessKeyId, string secretAccessKey) => new(
        new BasicAWSCredentials(accessKeyId, secretAccessKey),
        new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    public async Task CreateTableAsync(string name, bool withRange = false)
    {
        List<KeySchemaElement> keys = [new("pk", KeyType.HASH)];
        List<AttributeDefinition> definitions = [new("pk", ScalarAttributeType.S)];
        if (withRange)
        {
            keys.Add(new("sk", KeyType.RANGE));
            definitions.Add(new("sk", ScalarAttributeType.N));
        }

        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = keys,
            AttributeDefinitions = definitions,
            BillingMode = BillingMode.PAY_PER_REQUEST,
        }).WaitAsync(Timeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);
    }
}
