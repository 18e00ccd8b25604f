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
    [Theory]
    [InlineData("""[{"Key":"","Value":"v"}]""", "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1")]
    [InlineData("""[{"Key":"a","Value":"1"},{"Key":"k"}]""", "1 validation error detected: Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null")]
    [InlineData("""[{"Value":"v"}]""", "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null")]
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
