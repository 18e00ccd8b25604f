using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// The keys of ExpressionAttributeNames and ExpressionAttributeValues: at most 255 bytes each (AWS's documented limit),
/// checked before their syntax, with DynamoDB's words for both.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ExpressionAttributeKeyTests(ServerFixture fixture)
{
    private async Task<string> PutErrorAsync(string table, string names, string values, string condition)
    {
        var (status, type, message) = await ErrorAsync(fixture, "PutItem",
            "{\"TableName\":\"" + table + "\",\"Item\":{\"pk\":{\"S\":\"k\"}},\"ConditionExpression\":\"" + condition + "\""
            + (names.Length > 0 ? ",\"ExpressionAttributeNames\":" + names : "")
            + (values.Length > 0 ? ",\"ExpressionAttributeValues\":" + values : "") + "}");
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "ValidationException"), (status, type));
        return message;
    }

    [Fact]
    public async Task Placeholders_are_at_most_255_bytes()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName());
        string name255 = "#" + new string('n', 254), name256 = "#" + new string('n', 255);
        string value255 = ":" + new string('v', 254), value256 = ":" + new string('v', 255);

        // 255 bytes work: the condition holds on a new item, so the put succeeds.
        var ok = await fixture.PostAsync("PutItem", "{\"TableName\":\"" + table + "\",\"Item\":{\"pk\":{\"S\":\"k\"}},\"ConditionExpression\":\"attribute_not_exists("
            + name255 + ") AND pk <> " + value255 + "\",\"ExpressionAttributeNames\":{\"" + name255 + "\":\"pk\"},\"ExpressionAttributeValues\":{\"" + value255 + "\":{\"S\":\"x\"}}}");
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);

        Assert.Equal("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256",
            await PutErrorAsync(table, "{\"" + name256 + "\":\"pk\"}", "", "attribute_not_exists(" + name256 + ")"));
        Assert.Equal("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long",
            await PutErrorAsync(table, "", "{\"" + value256 + "\":{\"S\":\"x\"}}", "pk <> " + value256));
        // The length is checked before the syntax: a long key without its '#' is still "too long".
        Assert.Equal("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 300",
            await PutErrorAsync(table, "{\"" + new string('x', 300) + "\":\"pk\"}", "", "attribute_exists(pk)"));
        Assert.Equal("ExpressionAttributeNames contains invalid key: Syntax error; key: \"x\"",
            await PutErrorAsync(table, "{\"x\":\"pk\"}", "", "attribute_exists(pk)"));
    }
}
