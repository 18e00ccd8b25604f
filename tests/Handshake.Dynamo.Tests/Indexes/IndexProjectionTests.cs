using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

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

    [Fact]
    public async Task AtMost100ProjectedNonKeyAttributesAcrossATablesIndexes()
    {
        // AWS's documented limit: INCLUDE lists count, the same name in two indexes counts twice, ALL does not count.
        const string Refusal = "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of 100";
        var twenty = Enumerable.Range(1, 20).Select(i => "a" + i).ToList();
        CreateTableRequest Request(string name, bool withLsi) => new()
        {
            TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.S), new("g", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
            GlobalSecondaryIndexes = [.. Enumerable.Range(1, 5).Select(i => new GlobalSecondaryIndex
            {
                IndexName = "gsi-" + i, KeySchema = [new("g", KeyType.HASH)],
                Projection = new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = twenty },
            })],
            LocalSecondaryIndexes = withLsi
                ? [new LocalSecondaryIndex { IndexName = "lsi", KeySchema = [new("pk", KeyType.HASH), new("g", KeyType.RANGE)], Projection = new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = ["b"] } }]
                : null,
        };
        var refused = fixture.NewTableName();
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => fixture.Client.CreateTableAsync(Request(refused, withLsi: true)).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(("ValidationException", Refusal), (e.ErrorCode, e.Message));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => fixture.Client.DescribeTableAsync(refused).WaitAsync(ServerFixture.Timeout));

        // Exactly 100 is allowed; one more through UpdateTable is refused, an ALL index is not counted.
        var name = fixture.NewTableName();
        await fixture.Client.CreateTableAsync(Request(name, withLsi: false)).WaitAsync(ServerFixture.Timeout);
        GlobalSecondaryIndexUpdate Create(Projection projection) => new()
        {
            Create = new CreateGlobalSecondaryIndexAction { IndexName = "gsi-6", KeySchema = [new("sk", KeyType.HASH)], Projection = projection },
        };
        e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => fixture.Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name, AttributeDefinitions = [new("sk", ScalarAttributeType.S)],
            GlobalSecondaryIndexUpdates = [Create(new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = ["c"] })],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(("ValidationException", Refusal), (e.ErrorCode, e.Message));
        Assert.Equal(5, (await fixture.Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.GlobalSecondaryIndexes.Count);
        await fixture.Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name, AttributeDefinitions = [new("sk", ScalarAttributeType.S)],
            GlobalSecondaryIndexUpdates = [Create(new Projection { ProjectionType = ProjectionType.ALL })],
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(6, (await fixture.Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.GlobalSecondaryIndexes.Count);
    }
}
