using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// Attribute-name lengths: any name below 64 KiB (65,535 bytes at most) in items and placeholders; key schema,
/// attribute definition and projected names at most 255 characters; at most 20 NonKeyAttributes per index; and no
/// empty name anywhere.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AttributeNameLimitTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;
    private const string TooLarge = "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";

    [Fact]
    public async Task ItemAndPlaceholderNamesOf64KiBOrMoreAreRefused()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        string longest = new('n', 65535), over = new('n', 65536), overInUtf8 = new('é', 32768); // 65,536 bytes in UTF-8
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("a"), [longest] = S("x") } }).WaitAsync(Timeout);

        async Task<string> Error(Func<Task> call) => (await Assert.ThrowsAsync<AmazonDynamoDBException>(() => call().WaitAsync(Timeout))).Message;
        Assert.Equal(TooLarge, await Error(() => Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("b"), [over] = S("x") } })));
        Assert.Equal(TooLarge, await Error(() => Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("b"), [overInUtf8] = S("x") } })));
        Assert.Equal(TooLarge, await Error(() => Client.PutItemAsync(new PutItemRequest
        {
            TableName = table, Item = new() { ["pk"] = S("b"), ["doc"] = new AttributeValue { M = new() { [over] = S("x") } } },
        })));
        Assert.Equal(TooLarge, await Error(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("a") }, UpdateExpression = "SET #n = :v",
            ExpressionAttributeNames = new() { ["#n"] = over }, ExpressionAttributeValues = new() { [":v"] = S("x") },
        })));
        Assert.False((await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = S("b") } }).WaitAsync(Timeout)).IsItemSet);
    }

    [Fact]
    public async Task EmptyAttributeNamesAreRefusedAtAnyDepthAndInPlaceholders()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        const string Empty = "1 validation error detected: Empty attribute name";
        async Task<string> Error(Func<Task> call) => (await Assert.ThrowsAsync<AmazonDynamoDBException>(() => call().WaitAsync(Timeout))).Message;
        var deep = new AttributeValue { M = new() { ["l"] = new AttributeValue { L = [new AttributeValue { M = new() { [""] = S("x") } }] } } };

        Assert.Equal(Empty, await Error(() => Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("a"), [""] = S("x") } })));
        Assert.Equal(Empty, await Error(() => Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("a"), ["doc"] = deep } })));
        Assert.Equal(Empty, await Error(() => Client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = new() { ["pk"] = S("a"), [""] = S("x") } })));
        Assert.Equal("ExpressionAttributeNames contains invalid value: Empty attribute name for key #a", await Error(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("a") }, UpdateExpression = "SET #a = :v",
            ExpressionAttributeNames = new() { ["#a"] = "" }, ExpressionAttributeValues = new() { [":v"] = S("x") },
        })));
        Assert.Equal(Empty, await Error(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("a") }, AttributeUpdates = new() { [""] = new AttributeValueUpdate(S("x"), AttributeAction.PUT) },
        })));
        // A map value set through an expression carries its empty key in ExpressionAttributeValues: refused as well.
        Assert.Equal("ExpressionAttributeValues contains invalid value: Empty attribute name for key :m", await Error(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table, Key = new() { ["pk"] = S("a") }, UpdateExpression = "SET m = :m", ExpressionAttributeValues = new() { [":m"] = deep },
        })));
        Assert.Equal(Empty, await Error(() => Client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new() { [table] = [new WriteRequest(new PutRequest(new() { ["pk"] = S("b"), [""] = S("x") }))] },
        })));
        Assert.Equal(Empty, await Error(() => Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [new TransactWriteItem { Put = new Put { TableName = table, Item = new() { ["pk"] = S("c"), ["doc"] = deep } } }],
        })));

        var scan = await Client.ScanAsync(new ScanRequest { TableName = table }).WaitAsync(Timeout);
        Assert.Equal(0, scan.Count);
    }

    [Fact]
    public async Task KeyAndProjectedNamesOver255CharactersAndMoreThan20NonKeyAttributesAreRefused()
    {
        string key = new('k', 256), projected = new('p', 256);
        var (_, type, message) = await ErrorAsync(fixture, "CreateTable", "{\"TableName\":\"" + fixture.NewTableName()
            + "\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[{\"AttributeName\":\"" + key + "\",\"AttributeType\":\"S\"}],"
            + "\"KeySchema\":[{\"AttributeName\":\"" + key + "\",\"KeyType\":\"HASH\"}]}");
        Assert.Equal(("ValidationException", "2 validation errors detected: Value '" + key + "' at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: "
            + "Member must have length less than or equal to 255; Value '" + key + "' at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
            + "Member must have length less than or equal to 255"), (type, message));

        CreateTableRequest WithNonKey(List<string> names) => new()
        {
            TableName = fixture.NewTableName(), BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
            GlobalSecondaryIndexes =
            [
                new GlobalSecondaryIndex
                {
                    IndexName = "gix", KeySchema = [new KeySchemaElement("g", KeyType.HASH)],
                    Projection = new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = names },
                },
            ],
        };
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(WithNonKey([projected])).WaitAsync(Timeout));
        Assert.Equal("1 validation error detected: Value '" + projected + "' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes.1.member' "
            + "failed to satisfy constraint: Member must have length less than or equal to 255", e.Message);
        var names = Enumerable.Range(0, 21).Select(i => "a" + i).ToList();
        e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(WithNonKey(names)).WaitAsync(Timeout));
        Assert.Equal("1 validation error detected: Value '[" + string.Join(", ", names) + "]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' "
            + "failed to satisfy constraint: Member must have length less than or equal to 20", e.Message);
        await Client.CreateTableAsync(WithNonKey([.. names.Take(20)])).WaitAsync(Timeout);
    }
}
