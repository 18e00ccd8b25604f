using System.Net;
using System.Text.Json;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Transactions;

/// <summary>What the SDKs hide: the exact body of a TransactionCanceledException and of index read refusals.</summary>
[Collection(ServerCollection.Name)]
public sealed class TransactionWireTests(ServerFixture fixture)
{
    [Fact]
    public async Task ACancelledTransactionHasDynamoDbsErrorBody()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName());
        var body = "{\"TransactItems\":["
            + "{\"Put\":{\"TableName\":\"" + table + "\",\"Item\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}}},"
            + "{\"ConditionCheck\":{\"TableName\":\"" + table + "\",\"Key\":{\"pk\":{\"S\":\"b\"}},\"ConditionExpression\":\"attribute_exists(pk)\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}}]}";
        var response = await fixture.PostAsync("TransactWriteItems", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        var root = doc.RootElement;
        Assert.Equal("com.amazonaws.dynamodb.v20120810#TransactionCanceledException", root.GetProperty("__type").GetString());
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
            root.GetProperty("Message").GetString());
        var reasons = root.GetProperty("CancellationReasons");
        Assert.Equal(2, reasons.GetArrayLength());
        Assert.Equal("None", reasons[0].GetProperty("Code").GetString());
        Assert.False(reasons[0].TryGetProperty("Message", out _));
        Assert.Equal("ConditionalCheckFailed", reasons[1].GetProperty("Code").GetString());
        Assert.Equal("The conditional request failed", reasons[1].GetProperty("Message").GetString());
        Assert.False(reasons[1].TryGetProperty("Item", out _)); // the item does not exist: nothing to return

        var get = await fixture.PostAsync("GetItem", "{\"TableName\":\"" + table + "\",\"Key\":{\"pk\":{\"S\":\"a\"}}}");
        Assert.Equal("{}", await get.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
    }

    [Fact]
    public async Task AnIdempotencyMismatchSpellsItsMessageMemberAsDynamoDbsModelDoes()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName());
        string Put(string pk) => "{\"ClientRequestToken\":\"wire-token\",\"TransactItems\":[{\"Put\":{\"TableName\":\"" + table + "\",\"Item\":{\"pk\":{\"S\":\"" + pk + "\"}}}}]}";
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("TransactWriteItems", Put("a"))).StatusCode);
        var response = await fixture.PostAsync("TransactWriteItems", Put("b"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Equal("com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException", doc.RootElement.GetProperty("__type").GetString());
        // DynamoDB's model (as botocore ships it) names this member "Message", as for TransactionCanceledException.
        Assert.True(doc.RootElement.TryGetProperty("Message", out _), doc.RootElement.ToString());
        Assert.False(doc.RootElement.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task AnIndexStillBuildingCannotBeRead()
    {
        var table = await CreateAsync(fixture.Client, fixture.NewTableName());
        var index = fixture.Server.Store.GetTable(table).FindIndex(CategoryGsi)!;
        index.IndexStatus = "CREATING"; // as while UpdateTable's backfill runs
        try
        {
            var (_, type, message) = await ErrorAsync(fixture, "Query",
                "{\"TableName\":\"" + table + "\",\"IndexName\":\"gsi-category\",\"KeyConditionExpression\":\"category = :c\",\"ExpressionAttributeValues\":{\":c\":{\"S\":\"c\"}}}");
            Assert.Equal(("ValidationException", "Cannot read from backfilling global secondary index: gsi-category"), (type, message));
        }
        finally
        {
            index.IndexStatus = "ACTIVE";
        }
    }

    [Theory]
    [InlineData("TransactWriteItems", "{\"TransactItems\":[{\"Put\":{\"TableName\":\"t\",\"Item\":{\"pk\":{\"\\ud800\":\"a\"}}}}]}")]
    [InlineData("PutItem", "{\"TableName\":\"t\",\"\\ud800\":{\"pk\":{\"S\":\"a\"}}}")]
    public async Task AnEscapedLoneSurrogateInAMemberNameIsASerializationException(string operation, string body)
    {
        var response = await fixture.PostAsync(operation, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Equal("com.amazon.coral.service#SerializationException", doc.RootElement.GetProperty("__type").GetString());
    }
}
