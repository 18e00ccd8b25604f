using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Composition;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// An event source mapping on the endpoint `handshake up` composes: the host reads the store's stream in-process
/// (HandshakeServer hands it the store's StreamFeed), and a write through the SDK reaches the function.
/// </summary>
public sealed class EventSourceMappingUpTests
{
    [Fact]
    public async Task A_write_to_a_streamed_table_invokes_the_mapped_function_on_ups_endpoint()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-e2e-esm-").FullName;
        string record = Path.Combine(directory, "events.jsonl");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "recorder"));
            await File.WriteAllTextAsync(Path.Combine(directory, "recorder", "index.js"), $$"""
                'use strict';
                const fs = require('fs');
                exports.handler = async (event) => { fs.appendFileSync({{JsonSerializer.Serialize(record)}}, JSON.stringify(event) + '\n'); return {}; };
                """);
            string project = Path.Combine(directory, "handshake.json");
            await File.WriteAllTextAsync(project, """{ "functions": { "recorder": { "runtime": "nodejs20.x", "handler": "index.handler", "code": "recorder" } } }""");
            await using HandshakeServer server = await HandshakeServer.StartAsync(new HandshakeServerOptions
            {
                Port = 0,
                InMemory = true,
                DataDirectory = directory,
                ProjectFile = project,
            }).WaitAsync(HandshakeProcess.Timeout);

            using AmazonDynamoDBClient dynamo = ComposedServer.Client(server, "AKIDESM");
            CreateTableResponse table = await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = "orders",
                KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
                AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
                StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_IMAGE },
            }).WaitAsync(HandshakeProcess.Timeout);
            string streamArn = table.TableDescription.LatestStreamArn;

            using HttpClient client = new() { Timeout = HandshakeProcess.Timeout };
            string body = JsonSerializer.Serialize(new Dictionary<string, string> { ["FunctionName"] = "recorder", ["EventSourceArn"] = streamArn, ["StartingPosition"] = "LATEST" });
            using HttpResponseMessage created = await client.PostAsync(new Uri(server.Endpoint, "/2015-03-31/event-source-mappings/"),
                new StringContent(body, Encoding.UTF8, "application/json")).WaitAsync(HandshakeProcess.Timeout);
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

            await dynamo.PutItemAsync("orders", new Dictionary<string, AttributeValue> { ["id"] = new("o-1") }).WaitAsync(HandshakeProcess.Timeout);
            using CancellationTokenSource timeout = new(HandshakeProcess.Timeout);
            while (!File.Exists(record) || !File.ReadAllText(record).EndsWith('\n'))
            {
                await Task.Delay(25, timeout.Token);
            }

            JsonElement delivered = JsonDocument.Parse(File.ReadAllLines(record).Single()).RootElement.GetProperty("Records").EnumerateArray().Single();
            Assert.Equal("INSERT", delivered.GetProperty("eventName").GetString());
            Assert.Equal(streamArn, delivered.GetProperty("eventSourceARN").GetString());
            Assert.Equal("""{"id":{"S":"o-1"}}""", delivered.GetProperty("dynamodb").GetProperty("NewImage").GetRawText());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
