using System.Net;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>
/// An index's Projection refused as AWS refuses it, on CreateTable's indexes and UpdateTable's Create alike, with the
/// texts the ack-api-quirks project captured from AWS (DDB-TABLE-442), and no table or index made.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class IndexProjectionTests(ServerFixture fixture)
{
    [Theory]
    [InlineData("""{"ProjectionType":"INCLUDE"}""", "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")]
    [InlineData("""{"ProjectionType":"INCLUDE","NonKeyAttributes":["a","b","a"]}""", "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: a")]
    public async Task AnIncludeProjectionNeedsItsListAndEachNameOnce(string projection, string message)
    {
        var name = fixture.NewTableName();
        var (status, type, text) = await fixture.ErrorAsync("CreateTable", $$$$"""
            {"TableName":"{{{{name}}}}","BillingMode":"PAY_PER_REQUEST",
             "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
             "GlobalSecondaryIndexes":[{"IndexName":"by-g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{{{{projection}}}}}]}
            """);
        Assert.Equal((HttpStatusCode.BadRequest, "com.amazon.coral.validate#ValidationException", message), (status, type, text));
        var (_, missing, _) = await fixture.ErrorAsync("DescribeTable", $$"""{"TableName":"{{name}}"}""");
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", missing);

        var table = await fixture.CreateHashTableAsync();
        (status, type, text) = await fixture.ErrorAsync("UpdateTable", $$$$"""
            {"TableName":"{{{{table}}}}","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],
             "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"by-g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{{{{projection}}}}}}]}
            """);
        Assert.Equal((HttpStatusCode.BadRequest, "com.amazon.coral.validate#ValidationException", message), (status, type, text));
    }
}
