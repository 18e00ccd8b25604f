using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Runtime.AwsSdk;
using Handshake.Runtime.Bootstrap;

// The seed's function: one PutItem per invocation (a fresh id, a timestamp, the event as JSON text) into TABLE_NAME.
//
//   default                              mode `dotnet`: one AmazonDynamoDBClient per environment, built at init (the
//                                        SDK's own pool keeps the connection alive).
//   HANDSHAKE_CLIENT_PER_INVOCATION=1    mode `dotnet-no-reuse`: a new client per invocation with CacheHttpClient=false,
//                                        the .NET way to get the seed's problem: one TCP connection per invocation.
//   HANDSHAKE_POOL_IDLE_TIMEOUT_SECONDS  optional: build the client on Handshake.Runtime.AwsSdk's pool, whose idle
//                                        timeout is shorter than the server's, and log the connections it opened.
// Not DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, although it saved about a quarter of this process's CPU per
// invocation: the SDK reads a response's body synchronously, and when the body arrives after the headers (a split TCP
// write, a large answer) that read, run inline on the socket engine's thread, waits for the very thread it blocks.
// PutRecordTests.Dotnet_modes_answer_when_the_store_answer_arrives_in_two_pieces hangs with it.

return await LambdaRuntime.RunAsync(static ct =>
{
    var tableName = Environment.GetEnvironmentVariable("TABLE_NAME") is { Length: > 0 } name ? name : "records";
    var perInvocation = Environment.GetEnvironmentVariable("HANDSHAKE_CLIENT_PER_INVOCATION") == "1";
    var pool = Environment.GetEnvironmentVariable("HANDSHAKE_POOL_IDLE_TIMEOUT_SECONDS") is { Length: > 0 } seconds
        ? new PooledHttpClientFactory(TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)))
        : null;

    // Region and endpoint come from AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB, as the SDK reads them itself.
    var shared = perInvocation
        ? null
        : new AmazonDynamoDBClient(pool is null ? new AmazonDynamoDBConfig() : new AmazonDynamoDBConfig { HttpClientFactory = pool });

    LambdaHandler handler = async (payload, context, response) =>
    {
        string json;
        using (var reader = new StreamReader(payload, Encoding.UTF8))
        {
            json = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }

        var id = Guid.NewGuid().ToString();
        var timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var request = new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>
            {
                ["id"] = new() { S = id },
                ["timestamp"] = new() { S = timestamp },
                ["payload"] = new() { S = json.Length == 0 ? "null" : json },
            },
        };

        var client = shared ?? new AmazonDynamoDBClient(new AmazonDynamoDBConfig { CacheHttpClient = false });
        try
        {
            await client.PutItemAsync(request, ct).ConfigureAwait(false);
        }
        finally
        {
            if (shared is null)
            {
                client.Dispose();
            }
        }

        if (pool is not null)
        {
            context.Logger.LogLine($"connections opened by this environment: {pool.ConnectionsOpened}");
        }

        using var writer = new Utf8JsonWriter(response);
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("timestamp", timestamp);
        writer.WriteEndObject();
    };
    return Task.FromResult(handler);
});
