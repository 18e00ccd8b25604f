using System.Net;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>Shared setup for the index tests: a table with one LSI and two GSIs, and direct reads of index rows.</summary>
internal static class IndexTables
{
    public const string Lsi = "lsi-status";
    public const string OwnerGsi = "gsi-owner";
    public const string CategoryGsi = "gsi-category";

    /// <summary>pk S / sk N; LSI (pk, status) INCLUDE [note]; GSI (owner, created N) KEYS_ONLY; GSI (category) ALL.</summary>
    public static async Task<string> CreateAsync(AmazonDynamoDBClient client, string name)
    {
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("sk", ScalarAttributeType.N),
                new AttributeDefinition("status", ScalarAttributeType.S), new AttributeDefinition("owner", ScalarAttributeType.S),
                new AttributeDefinition("created", ScalarAttributeType.N), new AttributeDefinition("category", ScalarAttributeType.S),
            ],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)],
            LocalSecondaryIndexes =
            [
                new LocalSecondaryIndex
                {
                    IndexName = Lsi,
                    KeySchema = [new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("status", KeyType.RANGE)],
                    Projection = new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = ["note"] },
                },
            ],
            GlobalSecondaryIndexes =
            [
                new GlobalSecondaryIndex
                {
                    IndexName = OwnerGsi,
                    KeySchema = [new KeySchemaElement("owner", KeyType.HASH), new KeySchemaElement("created", KeyType.RANGE)],
                    Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
                },
                new GlobalSecondaryIndex
                {
                    IndexName = CategoryGsi,
                    KeySchema = [new KeySchemaElement("category", KeyType.HASH)],
                    Projection = new Projection { ProjectionType = ProjectionType.ALL },
                },
            ],
        }).WaitAsync(ServerFixture.Timeout);
        return name;
    }

    public static AttributeValue S(string s) => new() { S = s };
    public static AttributeValue N(string n) => new() { N = n };

    /// <summary>Every row of an index, in index order, as (index hash key bytes, projected item).</summary>
    public static List<(byte[] Hash, Dictionary<string, Model.AttributeValue> Item)> Rows(DynamoStore store, string table, string index)
    {
        var definition = store.GetTable(table).FindIndex(index)!;
        var space = new IndexKeySpace(store.GetTable(table), definition);
        return store.Read(session =>
        {
            var rows = new List<(byte[], Dictionary<string, Model.AttributeValue>)>();
            foreach (var row in space.Read(session.Connection, null, default, null, forward: true))
                rows.Add((row.Hash, Protocol.StoredItem.Parse(row.Item)));
            return rows;
        });
    }

    public static async Task<(HttpStatusCode Status, string Type, string Message)> ErrorAsync(ServerFixture fixture, string operation, string body)
    {
        var response = await fixture.PostAsync(operation, body);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout);
        using var doc = JsonDocument.Parse(text);
        var type = doc.RootElement.GetProperty("__type").GetString()!;
        return (response.StatusCode, type[(type.IndexOf('#') + 1)..], doc.RootElement.GetProperty("message").GetString()!);
    }
}
