
namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>Every member of Query, Scan and UpdateItem given every wrong JSON shape: always a 4xx, never a 500.</summary>
[Collection(ServerCollection.Name)]
public sealed class MalformedRequestTests(ServerFixture fixture)
{
    private static readonly string[] Members =
    [
        "Key", "UpdateExpression", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues", "ReturnValues",
        "AttributeUpdates", "Expected", "ConditionalOperator", "KeyConditionExpression", "FilterExpression", "ProjectionExpression",
        "KeyConditions", "QueryFilter", "ScanFilter", "AttributesToGet", "Limit", "ExclusiveStartKey", "Select", "ScanIndexForward",
        "ConsistentRead", "Segment", "TotalSegments", "IndexName", "ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure",
    ];

    private static readonly string[] Values =
    [
        "1", "-1", "1.5", "1e400", "true", "\"x\"", "\"\"", "[]", "[1]", "[{}]", "{}", "{\"a\":1}", "{\"a\":{}}", "{\"a\":{\"S\":\"x\"}}",
        "{\"pk\":{\"N\":\"1\"}}", "{\"a\":{\"ComparisonOperator\":\"EQ\"}}", "{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"S\":\"b\"},{\"N\":\"1\"}]}}",
        "{\"a\":{\"Action\":\"ADD\",\"Value\":{\"SS\":[]}}}", "{\"a\":{\"Exists\":\"yes\"}}", "{\":v\":{\"N\":\"abc\"}}", "{\"#a\":1}",
        "\"SET a = :v\"", "\"pk = :v\"", "\"#a\"", "2147483648", "null",
    ];

    private static readonly string[] Bases =
    [
        """{"TableName":"TABLE","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}""",
        """{"TableName":"TABLE","Limit":2}""",
        """{"TableName":"TABLE","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}""",
    ];

    [Fact]
    public async Task WrongShapesNeverCauseAServerError()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName(), withRange: true);
        var failures = new List<string>();
        int sent = 0;
        for (int b = 0; b < Bases.Length; b++)
        for (int m = 0; m < Members.Length; m++)
        for (int v = 0; v < Values.Length; v++)
        {
            sent++;
            var operation = b switch { 0 => "Query", 1 => "Scan", _ => "UpdateItem" };
            var body = Bases[b].Replace("TABLE", table, StringComparison.Ordinal);
            var corrupted = body[..^1] + ",\"" + Members[m] + "\":" + Values[v] + "}";
            using var response = await fixture.PostAsync(operation, corrupted);
            if ((int)response.StatusCode >= 500)
                failures.Add(operation + " " + corrupted + " -> " + (int)response.StatusCode + " " + await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(Bases.Length * Members.Length * Values.Length, sent);
        Assert.Empty(failures);
    }
}
