using System.Net;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Composition;
using Handshake.Network.Accounting;

namespace Handshake.EndToEnd.Tests;

public sealed class ComposedServerTests
{
    private static readonly TimeSpan Timeout = HandshakeProcess.Timeout;

    [Fact]
    public async Task The_sdk_talks_to_the_store_and_its_connection_is_counted_once()
    {
        await using HandshakeServer server = await ComposedServer.StartAsync();
        using AmazonDynamoDBClient client = ComposedServer.Client(server, "SDKCLIENT");
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = "records",
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        }).WaitAsync(Timeout);
        for (int i = 0; i < 20; i++)
        {
            await client.PutItemAsync("records", new Dictionary<string, AttributeValue>
            {
                ["id"] = new() { S = $"r{i}" },
                ["payload"] = new() { S = "hello" },
            }).WaitAsync(Timeout);
        }

        GetItemResponse item = await client.GetItemAsync("records", new Dictionary<string, AttributeValue> { ["id"] = new() { S = "r7" } }).WaitAsync(Timeout);
        Assert.Equal("hello", item.Item["payload"].S);

        // 1 CreateTable + 20 PutItem + 1 GetItem on one kept-alive connection.
        Assert.Equal(1, server.Connections.NewConnections("SDKCLIENT"));
        ClientConnections sdk = Assert.Single(server.Connections.Snapshot().Clients);
        Assert.Equal(("SDKCLIENT", 1L, 22L), (sdk.AccessKeyId, sdk.Totals.Opened, sdk.Totals.Requests));
    }

    [Fact]
    public async Task The_connections_route_serves_the_summary_as_json()
    {
        await using HandshakeServer server = await ComposedServer.StartAsync();
        using (AmazonDynamoDBClient client = ComposedServer.Client(server, "JSONCLIENT"))
        {
            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(Timeout);
            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(Timeout);
        }

        using HttpClient http = new() { BaseAddress = server.Endpoint };
        using HttpResponseMessage response = await http.GetAsync("/_handshake/connections").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument report = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        JsonElement client1 = Assert.Single(report.RootElement.GetProperty("clients").EnumerateArray());
        Assert.Equal("JSONCLIENT", client1.GetProperty("accessKeyId").GetString());
        Assert.Equal(1, client1.GetProperty("totals").GetProperty("opened").GetInt64());
        Assert.Equal(2, client1.GetProperty("totals").GetProperty("requests").GetInt64());
        Assert.Empty(report.RootElement.GetProperty("functions").EnumerateArray());

        // The admin request's own connection is open and unsigned.
        Assert.Equal(2, report.RootElement.GetProperty("totals").GetProperty("opened").GetInt64());
        Assert.Contains(report.RootElement.GetProperty("open").EnumerateArray(), c => c.GetProperty("accessKeyId").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text_with_the_store_meter()
    {
        await using HandshakeServer server = await ComposedServer.StartAsync();
        using (AmazonDynamoDBClient client = ComposedServer.Client(server, "METRICS"))
        {
            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(Timeout);
        }

        using HttpClient http = new() { BaseAddress = server.Endpoint };
        using HttpRequestMessage request = new(HttpMethod.Get, "/metrics");
        request.Headers.ConnectionClose = true;
        using HttpResponseMessage response = await http.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);

        // The SDK's connection and this one; this server's meter only, though other tests run servers in parallel.
        Assert.Contains("handshake_network_connections_opened_total{network_transport_security=\"none\"} 2\n", text);
        Assert.Contains("# TYPE handshake_dynamodb_request_duration_milliseconds histogram", text);
        Assert.Contains("operation=\"ListTables\"", text);
    }

    [Fact]
    public async Task Unknown_admin_routes_get_a_404_and_other_paths_go_to_the_store()
    {
        await using HandshakeServer server = await ComposedServer.StartAsync();
        using HttpClient http = new() { BaseAddress = server.Endpoint };
        using HttpResponseMessage admin = await http.GetAsync("/_handshake/nothing-here").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, admin.StatusCode);
        Assert.Contains("/_handshake/connections", await admin.Content.ReadAsStringAsync().WaitAsync(Timeout));

        // A POST without X-Amz-Target is the store's to answer, in DynamoDB's error shape.
        using HttpResponseMessage store = await http.PostAsync("/", new StringContent("{}", System.Text.Encoding.UTF8, "application/x-amz-json-1.0")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, store.StatusCode);
        Assert.Contains("__type", await store.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task The_store_idle_timeout_closes_kept_alive_connections()
    {
        await using HandshakeServer server = await ComposedServer.StartAsync(storeIdleTimeout: TimeSpan.FromSeconds(1));
        TaskCompletionSource<ConnectionRecord> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Connections.ConnectionClosed += record => closed.TrySetResult(record);
        using (AmazonDynamoDBClient client = ComposedServer.Client(server, "IDLER"))
        {
            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(Timeout);

            // The client keeps its connection pooled for a minute; only the server's idle timeout can close it now.
            ConnectionRecord record = await closed.Task.WaitAsync(Timeout);
            Assert.Equal("IDLER", record.AccessKeyId);
            Assert.Equal(1, record.Requests);

            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(Timeout);
        }

        Assert.Equal(2, server.Connections.NewConnections("IDLER"));
    }

    [Fact]
    public async Task Tls_listener_serves_the_store_and_marks_its_connections()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-tls-").FullName;
        try
        {
            await using HandshakeServer server = await ComposedServer.StartAsync(tls: true, dataDirectory: directory);
            Assert.NotNull(server.TlsEndpoint);
            Assert.True(File.Exists(server.CertificatePemPath));

            using HttpClientHandler handler = new() { ServerCertificateCustomValidationCallback = static (_, _, _, _) => true };
            using HttpClient https = new(handler) { BaseAddress = server.TlsEndpoint };
            using HttpRequestMessage request = new(HttpMethod.Post, "/");
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
            request.Headers.TryAddWithoutValidation("Authorization",
                "AWS4-HMAC-SHA256 Credential=TLSKEY/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00");
            request.Content = new StringContent("{}", new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0"));
            using HttpResponseMessage response = await https.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("TableNames", await response.Content.ReadAsStringAsync().WaitAsync(Timeout));

            ClientConnections tls = Assert.Single(server.Connections.Snapshot().Clients);
            Assert.Equal(("TLSKEY", 1L, 1L), (tls.AccessKeyId, tls.Totals.Opened, tls.Totals.Tls));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
