using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace Handshake.Dynamo.Tests;

/// <summary>A store on Kestrel at 127.0.0.1:0, in memory, with an SDK client and a raw HTTP client pointed at it.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public DynamoServer Server { get; private set; } = null!;
    public AmazonDynamoDBClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await DynamoServer.StartAsync(new DynamoServerOptions()).WaitAsync(Timeout);
        Client = NewClient(Server.Endpoint);
        Http = new HttpClient { BaseAddress = Server.Endpoint, Timeout = Timeout };
    }

    public static AmazonDynamoDBClient NewClient(Uri endpoint) => new(
        new BasicAWSCredentials("AKIDTEST", "secret"),
        new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(Timeout);
    }

    /// <summary>Sends a raw DynamoDB request: target operation, JSON body, with a dummy SigV4-looking Authorization.</summary>
    public Task<HttpResponseMessage> PostAsync(string? operation, string? body, bool authorize = true, string contentType = "application/x-amz-json-1.0")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/");
        if (operation is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810." + operation);
        if (authorize)
            request.Headers.TryAddWithoutValidation("Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body ?? string.Empty));
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Http.SendAsync(request).WaitAsync(Timeout);
    }

    /// <summary>A raw request's DynamoDB error: status, __type and message.</summary>
    public async Task<(HttpStatusCode Status, string Type, string Message)> ErrorAsync(string operation, string body)
    {
        var response = await PostAsync(operation, body);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        return (response.StatusCode, doc.RootElement.GetProperty("__type").GetString()!, doc.RootElement.GetProperty("message").GetString()!);
    }

    /// <summary>A fresh on-demand table with a string hash key <c>pk</c>, made over raw HTTP; returns its name.</summary>
    public async Task<string> CreateHashTableAsync()
    {
        var name = NewTableName();
        var response = await PostAsync("CreateTable",
            $$$$$"""{"TableName":"{{{{{name}}}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException("CreateTable answered " + response.StatusCode);
        return name;
    }

    private int _tableCounter;

    /// <summary>A fresh table name per test, so tests sharing the fixture never collide.</summary>
    public string NewTableName(string prefix = "t") => prefix + "-" + Interlocked.Increment(ref _tableCounter) + "-" + Guid.NewGuid().ToString("N")[..8];
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
