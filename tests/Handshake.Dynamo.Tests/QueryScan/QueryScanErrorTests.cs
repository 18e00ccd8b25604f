using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>Query and Scan validation over raw HTTP: each message exactly, always a 400, never a 500.</summary>
[Collection(ServerCollection.Name)]
public sealed class QueryScanErrorTests(ServerFixture fixture)
{
    private async Task<string> TableAsync()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName(), withRange: true);
        return table;
    }

    private async Task<string> ErrorAsync(string operation, string body)
    {
        using var response = await fixture.PostAsync(operation, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(text);
        Assert.EndsWith("#ValidationException", doc.RootElement.GetProperty("__type").GetString());
        return doc.RootElement.GetProperty("message").GetString()!;
    }

    public static TheoryData<string, string> QueryCases() => new()
    {
        { """ "KeyConditionExpression":"pk > :p","ExpressionAttributeValues":{":p":{"S":"a"}} """, "Query key condition not supported" },
        { """ "KeyConditionExpression":"pk = :p OR sk = :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "Invalid operator used in KeyConditionExpression: OR" },
        { """ "KeyConditionExpression":"pk = :p AND sk <> :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "Invalid operator used in KeyConditionExpression: <>" },
        { """ "KeyConditionExpression":"pk = :p AND attribute_exists(sk)","ExpressionAttributeValues":{":p":{"S":"a"}} """, "Invalid operator used in KeyConditionExpression: attribute_exists" },
        { """ "KeyConditionExpression":"pk = :p AND pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}} """, "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key" },
        { """ "KeyConditionExpression":"pk = :p AND sk.x = :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "KeyConditionExpressions cannot have conditions on nested attributes" },
        { """ "KeyConditionExpression":"sk = :n","ExpressionAttributeValues":{":n":{"N":"1"}} """, "Query condition missed key schema element: pk" },
        { """ "KeyConditionExpression":"pk = :p AND attr1 = :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "Query condition missed key schema element: sk" },
        { """ "KeyConditionExpression":"pk = :n","ExpressionAttributeValues":{":n":{"N":"1"}} """, "One or more parameter values were invalid: Condition parameter type does not match schema type" },
        { """ "KeyConditionExpression":"pk = :p AND begins_with(sk, :n)","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N" },
        { """ "KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}} """, "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type" },
        { """ "KeyConditionExpression":"pk = :p","FilterExpression":"sk = :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"1"}} """, "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk" },
        { """ "KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"N":"1"}} """, "The provided starting key is outside query boundaries based on provided conditions" },
        { """ "KeyConditionExpression":"pk = :p AND sk > :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"5"}},"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"}} """, "The provided starting key does not match the range key predicate" },
        { """ "KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"a"}} """, "The provided starting key is invalid: The provided key element does not match the schema" },
        { """ "Select":"COUNT","ProjectionExpression":"a","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}} """, "Cannot specify the ProjectionExpression when choosing to get only the Count" },
        { """ "Select":"ALL_PROJECTED_ATTRIBUTES","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}} """, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName" },
        { """ "FilterExpression":"a = :v","ExpressionAttributeValues":{":v":{"S":"a"}} """, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request." },
        { """ "KeyConditionExpression":"pk = :p","QueryFilter":{"a":{"ComparisonOperator":"NULL"}},"ExpressionAttributeValues":{":p":{"S":"a"}} """, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}" },
        { """ "KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"},{"S":"b"}]}} """, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator" },
        { """ "KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"sk":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"1"}]}} """, "Attempted conditional constraint is not an indexable operation" },
        { """ "KeyConditionExpression":"pk = :p","Limit":0,"ExpressionAttributeValues":{":p":{"S":"a"}} """, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1" },
        { """ "KeyConditionExpression":"pk = :p","IndexName":"nope","ExpressionAttributeValues":{":p":{"S":"a"}} """, "The table does not have the specified index: nope" },
        // An empty key value is refused, not answered with no items (AWS's message, as reported in getmoto/moto#7062).
        { """ "KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":""}} """, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk" },
        { """ "KeyConditionExpression":"pk = :p AND sk > :n","ExpressionAttributeValues":{":p":{"S":""},":n":{"N":"1"}} """, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk" },
        { """ "KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":""}]}} """, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk" },
    };

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task QueryMessages(string members, string message)
    {
        var table = await TableAsync();
        Assert.Equal(message, await ErrorAsync("Query", "{\"TableName\":\"" + table + "\"," + members + "}"));
    }

    public static TheoryData<string, string> ScanCases() => new()
    {
        { """ "Segment":1 """, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present" },
        { """ "TotalSegments":2 """, "The Segment parameter is required but was not present in the request when parameter TotalSegments is present" },
        { """ "Segment":4,"TotalSegments":4 """, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4" },
        { """ "TotalSegments":1000001,"Segment":0 """, "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000" },
        { """ "FilterExpression":"a = :v" """, "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v" },
        { """ "ExpressionAttributeValues":{":v":{"S":"a"}} """, "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null" },
        { """ "ScanFilter":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"5"},{"N":"1"}]}} """, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound" },
        { """ "ScanFilter":{"a":{"ComparisonOperator":"LT","AttributeValueList":[{"SS":["x"]}]}} """, "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type" },
        { """ "Select":"SPECIFIC_ATTRIBUTES" """, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES" },
        { """ "ExclusiveStartKey":{"pk":{"S":""},"sk":{"N":"1"}} """, "The provided starting key is invalid: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk" },
        // Projected paths that overlap or conflict, by the UpdateExpression rule (the conflict text is scylla's
        // test_projection_expression_path_conflict, written against AWS).
        { """ "ProjectionExpression":"a, a.b" """, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]" },
        { """ "ProjectionExpression":"a.b, a[1]" """, "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]" },
        { """ "ProjectionExpression":"x, l[0].c, l.c" """, "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [0], c], path two: [l, c]" },
    };

    [Theory]
    [MemberData(nameof(ScanCases))]
    public async Task ScanMessages(string members, string message)
    {
        var table = await TableAsync();
        Assert.Equal(message, await ErrorAsync("Scan", "{\"TableName\":\"" + table + "\"," + members + "}"));
    }

    [Fact]
    public async Task AStartKeyFromAnotherSegmentIsRejected()
    {
        var table = await TableAsync();
        string? message = null;
        // Some key among a few maps outside segment 0 of 2.
        for (int i = 0; i < 20 && message is null; i++)
        {
            using var response = await fixture.PostAsync("Scan", "{\"TableName\":\"" + table + "\",\"Segment\":0,\"TotalSegments\":2,\"ExclusiveStartKey\":{\"pk\":{\"S\":\"k" + i + "\"},\"sk\":{\"N\":\"1\"}}}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
                message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString();
        }
        Assert.Equal("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0", message);
    }
}
