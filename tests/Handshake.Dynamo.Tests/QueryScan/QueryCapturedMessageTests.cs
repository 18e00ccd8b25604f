using System.Net;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>
/// Query's messages as the public DynamoDB conformance suite pinned them against AWS (paritysuite/dynamodb-conformance,
/// tests/tier3): KeyConditionExpression operands of the wrong type (an operand no key type could satisfy is an
/// expression error; a key type that is not the attribute's fails the schema check), key conditions of the wrong
/// shape, which of two problems is reported, and malformed expression values.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class QueryCapturedMessageTests(ServerFixture fixture)
{
    private const string Schema = "One or more parameter values were invalid: Condition parameter type does not match schema type";

    private static string Operand(string op, string type) =>
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + type;

    private async Task<string> TableAsync(string sortType)
    {
        var name = fixture.NewTableName();
        var response = await fixture.PostAsync("CreateTable", "{\"TableName\":\"" + name + "\",\"BillingMode\":\"PAY_PER_REQUEST\","
            + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"" + sortType + "\"}],"
            + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return name;
    }

    [Theory]
    [InlineData("S", "pk = :p AND begins_with(sk, :v)", """{":v":{"N":"1"}}""", "begins_with", "N")]
    [InlineData("S", "pk = :p AND begins_with(sk, :v)", """{":v":{"BOOL":true}}""", "begins_with", "BOOL")]
    [InlineData("N", "pk = :p AND begins_with(sk, :v)", """{":v":{"N":"1"}}""", "begins_with", "N")]
    [InlineData("N", "pk = :p AND begins_with(sk, :v)", """{":v":{"S":"a"}}""", null, null)]
    [InlineData("N", "pk = :p AND sk < :v", """{":v":{"BOOL":true}}""", "<", "BOOL")]
    [InlineData("N", "pk = :p AND :v >= sk", """{":v":{"BOOL":true}}""", ">=", "BOOL")]
    [InlineData("N", "pk = :p AND sk BETWEEN :a AND :b", """{":a":{"BOOL":false},":b":{"BOOL":true}}""", "BETWEEN", "BOOL")]
    [InlineData("N", "pk = :p AND sk = :v", """{":v":{"BOOL":true}}""", null, null)]
    public async Task Operands_of_the_wrong_type_are_refused_as_AWS_words_it(string sortType, string condition, string values, string? op, string? type)
    {
        var table = await TableAsync(sortType);
        var (status, error, message) = await ErrorAsync(fixture, "Query", "{\"TableName\":\"" + table + "\",\"KeyConditionExpression\":\"" + condition
            + "\",\"ExpressionAttributeValues\":" + values.Insert(1, "\":p\":{\"S\":\"q\"},") + "}");
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (status, error));
        Assert.Equal(op is null ? Schema : Operand(op, type!), message);
    }

    [Theory]
    [InlineData("pk = :p AND sk > :a AND sk < :b", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")]
    [InlineData("pk = :p AND sk > :a AND extra = :b", "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)")]
    public async Task Key_conditions_of_the_wrong_shape_are_refused_as_AWS_words_it(string condition, string expected)
    {
        var table = await TableAsync("N");
        var (status, error, message) = await ErrorAsync(fixture, "Query", "{\"TableName\":\"" + table + "\",\"KeyConditionExpression\":\"" + condition
            + "\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"},\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"5\"}}}");
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (status, error));
        Assert.Equal(expected, message);
    }

    // The same suite's tests/tier3/validation-ordering/queryKeyCondition.test.ts: AWS reports the first problem met
    // walking the clauses as written, and checks operands before it looks for the table.
    [Theory]
    [InlineData("pk = :missing AND begins_with(sk, :n)", """{":n":{"N":"1"}}""", "undefined")]
    [InlineData("begins_with(sk, :n) AND pk = :missing", """{":n":{"N":"1"}}""", "operand")]
    [InlineData("pk = :p AND begins_with(sk, :n) AND sk = :missing", """{":p":{"S":"q"},":n":{"N":"1"}}""", "operand")]
    [InlineData("pk = :p AND begins_with(sk, :n) AND sk > :s", """{":p":{"S":"q"},":n":{"N":"1"},":s":{"S":"a"}}""", "operand")]
    public async Task The_first_problem_written_is_the_one_reported(string condition, string values, string expected)
    {
        var table = await TableAsync("S");
        foreach (var name in new[] { table, "missing-" + table })
        {
            var (status, error, message) = await ErrorAsync(fixture, "Query", "{\"TableName\":\"" + name + "\",\"KeyConditionExpression\":\"" + condition
                + "\",\"ExpressionAttributeValues\":" + values + "}");
            Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (status, error));
            Assert.Equal(expected == "operand" ? Operand("begins_with", "N")
                : "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing", message);
        }
        var (_, missing, _) = await ErrorAsync(fixture, "Query", "{\"TableName\":\"missing-" + table
            + "\",\"KeyConditionExpression\":\"pk = :p AND begins_with(sk, :s)\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"},\":s\":{\"S\":\"a\"}}}");
        Assert.Equal("ResourceNotFoundException", missing);
    }

    // The same suite's tests/tier3/error-messages/valueLayers.test.ts: Query answers a malformed expression value
    // with the value's own message, bare; Scan still wraps it with the placeholder's name.
    [Theory]
    [InlineData("abc", "The parameter cannot be converted to a numeric value: abc")]
    [InlineData("", "The parameter cannot be converted to a numeric value: ")]
    [InlineData("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range")]
    public async Task A_malformed_value_is_bare_in_Query_and_wrapped_in_Scan(string number, string expected)
    {
        var table = await TableAsync("S");
        var (_, _, query) = await ErrorAsync(fixture, "Query", "{\"TableName\":\"" + table
            + "\",\"KeyConditionExpression\":\"pk = :p\",\"FilterExpression\":\"n = :v\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"},\":v\":{\"N\":\"" + number + "\"}}}");
        Assert.Equal(expected, query);
        var (_, _, scan) = await ErrorAsync(fixture, "Scan", "{\"TableName\":\"" + table
            + "\",\"FilterExpression\":\"n = :v\",\"ExpressionAttributeValues\":{\":v\":{\"N\":\"" + number + "\"}}}");
        Assert.Equal("ExpressionAttributeValues contains invalid value: " + expected.TrimEnd(' ', ':') + " for key :v", scan);
    }
}
