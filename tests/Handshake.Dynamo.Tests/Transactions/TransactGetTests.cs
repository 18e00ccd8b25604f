using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Transactions;

/// <summary>TransactGetItems limits and response shape: the 4 MB total, an empty projection, the count message.</summary>
[Collection(ServerCollection.Name)]
public sealed class TransactGetTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private static TransactGetItem Get(string table, string pk, string? projection = null) =>
        new() { Get = new Get { TableName = table, Key = new() { ["pk"] = S(pk) }, ProjectionExpression = projection } };

    [Fact]
    public async Task ItemsAbove4MbInAllRefuseTheWholeRequest()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var payload = new string('v', 390_000); // 11 of these are about 4.1 MiB, 10 stay under
        for (int i = 0; i < 11; i++)
            await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("big" + i), ["v"] = S(payload) } })
                .WaitAsync(ServerFixture.Timeout);

        var ten = await Client.TransactGetItemsAsync(new TransactGetItemsRequest { TransactItems = [.. Enumerable.Range(0, 10).Select(i => Get(table, "big" + i))] })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Equal(10, ten.Responses.Count(r => r.Item is { Count: > 0 }));

        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.TransactGetItemsAsync(new TransactGetItemsRequest
        {
            TransactItems = [.. Enumerable.Range(0, 11).Select(i => Get(table, "big" + i))],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal("Transaction request size has exceeded the maximum allowed size of 4 MB", e.Message);
    }

    [Fact]
    public async Task AProjectionThatMatchesNothingLeavesNoItemWhereBatchGetKeepsAnEmptyOne()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("a"), ["v"] = S("1") } }).WaitAsync(ServerFixture.Timeout);
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("b"), ["v"] = S("1") } }).WaitAsync(ServerFixture.Timeout);

        var response = await fixture.PostAsync("TransactGetItems", "{\"TransactItems\":[{\"Get\":{\"TableName\":\"" + table
            + "\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ProjectionExpression\":\"zz\"}},{\"Get\":{\"TableName\":\"" + table
            + "\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"ProjectionExpression\":\"v\"}}]}");
        Assert.Equal("{\"Responses\":[{},{\"Item\":{\"v\":{\"S\":\"1\"}}}]}", await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));

        var batch = await fixture.PostAsync("BatchGetItem", "{\"RequestItems\":{\"" + table
            + "\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],\"ProjectionExpression\":\"zz\"}}}");
        using var doc = JsonDocument.Parse(await batch.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Equal("[{}]", doc.RootElement.GetProperty("Responses").GetProperty(table).GetRawText());
    }

    [Fact]
    public async Task MoreThan100GetsNameTheTransactGetItemShape()
    {
        var gets = string.Join(",", Enumerable.Repeat("{\"Get\":{\"TableName\":\"tab1\",\"Key\":{\"pk\":{\"S\":\"a\"}}}}", 101));
        var (_, type, message) = await ErrorAsync(fixture, "TransactGetItems", "{\"TransactItems\":[" + gets + "]}");
        Assert.Equal("ValidationException", type);
        Assert.Equal("1 validation error detected: Value '[" + string.Join(", ", Enumerable.Repeat("TransactGetItem", 101))
            + "]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100", message);
    }
}
