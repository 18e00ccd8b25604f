using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// Member constraints that one operation checked and another with the same shape did not: each is refused with the
/// model's message, and refused before anything is written or read.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MemberConstraintTests(ServerFixture fixture)
{
    // AWS's tagging backend answers in its own words, not the model's (ack-api-quirks DDB-TABLE-107 and -110).
    [Theory]
    [InlineData("""[{"Key":"","Value":"v"}]""", "The Tag Key provided is invalid, Key: ")]
    [InlineData("""[{"Key":"a","Value":"1"},{"Key":"k"}]""", "The Tag Value provided is invalid, Value: null")]
    [InlineData("""[{"Value":"v"}]""", "The Tag Key provided is invalid, Key: null")]
    [InlineData("""[{"Key":"aws:foo","Value":"v"}]""", "Tag Key cannot be prefixed with aws:, Key: aws:foo")]
    [InlineData("""[{"Key":"bad#char","Value":"v"}]""", "The Tag Key provided is invalid, Key: bad#char")]
    [InlineData("""[{"Key":"dup","Value":"1"},{"Key":"dup","Value":"2"}]""", "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup")]
    public async Task CreateTableChecksItsTagsAsTagResourceDoesAndCreatesNothing(string tags, string message)
    {
        var name = fixture.NewTableName();
        var (status, type, text) = await fixture.ErrorAsync("CreateTable",
            $$$$$"""{"TableName":"{{{{{name}}}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":{{{{{tags}}}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, text);

        var (_, missing, _) = await fixture.ErrorAsync("DescribeTable", $$$$$"""{"TableName":"{{{{{name}}}}}"}""");
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", missing);
    }

    [Fact]
    public async Task BatchGetItemRefusesAnEmptyAttributesToGet()
    {
        var table = await fixture.CreateHashTableAsync();
        var (status, type, message) = await fixture.ErrorAsync("BatchGetItem",
            $$$$$"""{"RequestItems":{"{{{{{table}}}}}":{"Keys":[{"pk":{"S":"a"}}],"AttributesToGet":[]}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal($"1 validation error detected: Value '[]' at 'requestItems.{table}.member.attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1", message);
    }

    [Fact]
    public async Task BatchGetItemRefusesMoreThanAHundredKeysOfOneTableInAwsWords()
    {
        // AWS leaves the value out and capitalises the members here (dynamodb-conformance's exact capture).
        var table = await fixture.CreateHashTableAsync();
        var keys = string.Join(",", Enumerable.Range(0, 101).Select(i => $$$"""{"pk":{"S":"k{{{i}}}"}}"""));
        var (status, type, message) = await fixture.ErrorAsync("BatchGetItem", $$$$"""{"RequestItems":{"{{{{table}}}}":{"Keys":[{{{{keys}}}}]}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal($"1 validation error detected: Value at 'RequestItems.{table}.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100", message);
    }

    [Fact]
    public async Task BatchGetItemRefusesAProjectionExpressionOnOneTableBesideAttributesToGetOnAnother()
    {
        var first = await fixture.CreateHashTableAsync();
        var second = await fixture.CreateHashTableAsync();
        var (status, type, message) = await fixture.ErrorAsync("BatchGetItem",
            $$$$"""{"RequestItems":{"{{{{first}}}}":{"Keys":[{"pk":{"S":"a"}}],"ProjectionExpression":"pk"},"{{{{second}}}}":{"Keys":[{"pk":{"S":"b"}}],"AttributesToGet":["pk"]}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}", message);
    }

    [Fact]
    public async Task BatchGetItemCountsOneItemAskedForByTableNameAndByArnAsADuplicate()
    {
        var table = await fixture.CreateHashTableAsync();
        var arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + table;
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"}}}""")).StatusCode);

        var (status, type, message) = await fixture.ErrorAsync("BatchGetItem",
            $$$$$"""{"RequestItems":{"{{{{{table}}}}}":{"Keys":[{"pk":{"S":"a"}}]},"{{{{{arn}}}}}":{"Keys":[{"pk":{"S":"a"}}]}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal("Provided list of item keys contains duplicates", message);
    }
}
