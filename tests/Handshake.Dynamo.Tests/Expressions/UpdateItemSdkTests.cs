using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DataModel;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>UpdateItem and conditional writes through AWSSDK.DynamoDBv2, low-level and DynamoDBContext.</summary>
[Collection(ServerCollection.Name)]
public sealed class UpdateItemSdkTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private static Dictionary<string, AttributeValue> Key(string pk) => new() { ["pk"] = new AttributeValue { S = pk } };

    private async Task<Dictionary<string, AttributeValue>> GetAsync(string table, string pk) =>
        (await Client.GetItemAsync(table, Key(pk)).WaitAsync(Timeout)).Item;

    [Fact]
    public async Task AddCreatesTheItemAndCountsUp()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        for (int i = 0; i < 3; i++)
        {
            await Client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table,
                Key = Key("counter"),
                UpdateExpression = "ADD hits :one SET #s = :s",
                ExpressionAttributeNames = new() { ["#s"] = "status" },
                ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" }, [":s"] = new AttributeValue { S = "seen" } },
            }).WaitAsync(Timeout);
        }
        var item = await GetAsync(table, "counter");
        Assert.Equal("3", item["hits"].N);
        Assert.Equal("seen", item["status"].S);
    }

    [Fact]
    public async Task ConcurrentAddCountersNeverLoseAnIncrement()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var updates = Enumerable.Range(0, 64).Select(_ => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("hot"),
            UpdateExpression = "ADD hits :one",
            ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" } },
        }));
        await Task.WhenAll(updates).WaitAsync(Timeout);
        Assert.Equal("64", (await GetAsync(table, "hot"))["hits"].N);
    }

    [Fact]
    public async Task ReturnValuesGiveTheOldAndNewAttributes()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "r" }, ["a"] = new AttributeValue { N = "1" }, ["b"] = new AttributeValue { S = "keep" } })
            .WaitAsync(Timeout);
        async Task<Dictionary<string, AttributeValue>> Update(string returnValues) => (await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("r"),
            UpdateExpression = "SET a = a + :one",
            ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" } },
            ReturnValues = returnValues,
        }).WaitAsync(Timeout)).Attributes;

        Assert.Empty(await Update("NONE") ?? []);
        var allOld = await Update("ALL_OLD");
        Assert.Equal("2", allOld["a"].N);
        Assert.Equal("keep", allOld["b"].S);
        var updatedOld = await Update("UPDATED_OLD");
        Assert.Equal(["a"], updatedOld.Keys);
        Assert.Equal("3", updatedOld["a"].N);
        var allNew = await Update("ALL_NEW");
        Assert.Equal("5", allNew["a"].N);
        Assert.Equal(3, allNew.Count);
        var updatedNew = await Update("UPDATED_NEW");
        Assert.Equal(["a"], updatedNew.Keys);
        Assert.Equal("6", updatedNew["a"].N);
    }

    [Fact]
    public async Task UpdatedNewReturnsListElementsWhereTheyLanded()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        AttributeValue S(string s) => new() { S = s };
        await Client.PutItemAsync(table, new() { ["pk"] = S("l"), ["l"] = new AttributeValue { L = [S("a"), S("b"), S("c")] } }).WaitAsync(Timeout);
        async Task<UpdateItemResponse> Update(string expression, string returnValues) => await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("l"),
            UpdateExpression = expression,
            // Only the placeholders the expression uses: unused ones are an error.
            ExpressionAttributeValues = new[] { "x", "y" }.Where(v => expression.Contains(":" + v, StringComparison.Ordinal)).ToDictionary(v => ":" + v, S) is { Count: > 0 } used ? used : null,
            ReturnValues = returnValues,
        }).WaitAsync(Timeout);

        // A SET past the end appends: UPDATED_NEW shows the element at the index it was appended at (3), not nothing.
        var appended = await Update("SET l[10] = :x", "UPDATED_NEW");
        Assert.Equal(["x"], appended.Attributes["l"].L.Select(v => v.S));
        // It had no old value.
        var old = await Update("SET l[20] = :y", "UPDATED_OLD");
        Assert.Null(old.Attributes?.GetValueOrDefault("l"));
        // l is now [a, b, c, x, y]. Removing l[0] moves the SET l[2] value down to l[1]: UPDATED_NEW follows it, and
        // the removed element has no new value.
        var shifted = await Update("SET l[2] = :x, l[30] = :y REMOVE l[0]", "UPDATED_NEW");
        Assert.Equal(["x", "y"], shifted.Attributes["l"].L.Select(v => v.S));
        var item = await GetAsync(table, "l");
        Assert.Equal(["b", "x", "x", "y", "y"], item["l"].L.Select(v => v.S));
        var removedOld = await Update("REMOVE l[0]", "UPDATED_OLD");
        Assert.Equal(["b"], removedOld.Attributes["l"].L.Select(v => v.S));
        Assert.Null((await Update("REMOVE l[0]", "UPDATED_NEW")).Attributes?.GetValueOrDefault("l"));
    }

    [Fact]
    public async Task AFailedConditionChangesNothingAndCanReturnTheOldItem()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "c" }, ["v"] = new AttributeValue { N = "1" } }).WaitAsync(Timeout);
        var error = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("c"),
            UpdateExpression = "SET v = :two",
            ConditionExpression = "v = :two",
            ExpressionAttributeValues = new() { [":two"] = new AttributeValue { N = "2" } },
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        }).WaitAsync(Timeout));
        Assert.Equal("1", error.Item["v"].N);
        Assert.Equal("1", (await GetAsync(table, "c"))["v"].N);

        var delete = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = table,
            Key = Key("c"),
            ConditionExpression = "attribute_not_exists(v)",
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        }).WaitAsync(Timeout));
        Assert.Equal("1", delete.Item["v"].N);
    }

    [Fact]
    public async Task ValidationErrorsReachTheClientAsValidationExceptions()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        async Task<string> Error(UpdateItemRequest request)
        {
            request.TableName = table;
            request.Key = Key("v");
            var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateItemAsync(request).WaitAsync(Timeout));
            Assert.Equal("ValidationException", e.ErrorCode);
            return e.Message;
        }
        Assert.Equal("One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
            await Error(new UpdateItemRequest { UpdateExpression = "SET pk = :v", ExpressionAttributeValues = new() { [":v"] = new AttributeValue { S = "x" } } }));
        Assert.Equal("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
            await Error(new UpdateItemRequest { UpdateExpression = "REMOVE a", ExpressionAttributeValues = new() { [":x"] = new AttributeValue { S = "x" } } }));
        Assert.Equal("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}",
            await Error(new UpdateItemRequest { UpdateExpression = "REMOVE a", AttributeUpdates = new() { ["b"] = new AttributeValueUpdate { Action = AttributeAction.DELETE } } }));
        await Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue { S = "v" }, ["s"] = new AttributeValue { S = "text" } }).WaitAsync(Timeout);
        Assert.Equal("An operand in the update expression has an incorrect data type",
            await Error(new UpdateItemRequest { UpdateExpression = "ADD s :one", ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" } } }));
        Assert.Equal("text", (await GetAsync(table, "v"))["s"].S);
    }

    [Fact]
    public async Task LegacyAttributeUpdatesAndExpectedWork()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("l"),
            AttributeUpdates = new()
            {
                ["n"] = new AttributeValueUpdate { Action = AttributeAction.ADD, Value = new AttributeValue { N = "5" } },
                ["list"] = new AttributeValueUpdate { Action = AttributeAction.ADD, Value = new AttributeValue { L = [new AttributeValue { S = "a" }] } },
                ["s"] = new AttributeValueUpdate { Action = AttributeAction.PUT, Value = new AttributeValue { S = "put" } },
            },
            Expected = new() { ["n"] = new ExpectedAttributeValue { Exists = false } },
        }).WaitAsync(Timeout);
        await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new() { ["pk"] = new AttributeValue { S = "l" } },
            Expected = new() { ["n"] = new ExpectedAttributeValue { ComparisonOperator = ComparisonOperator.GT, AttributeValueList = [new AttributeValue { N = "5" }] } },
        }).WaitAsync(Timeout));
        var item = await GetAsync(table, "l");
        Assert.Equal("5", item["n"].N);
        Assert.Equal("a", item["list"].L[0].S);
        Assert.Equal("put", item["s"].S);
    }

    [DynamoDBTable("placeholder")]
    public sealed class VersionedDocument
    {
        [DynamoDBHashKey("pk")] public string Id { get; set; } = "";
        public string? Body { get; set; }
        [DynamoDBVersion] public int? Version { get; set; }
    }

    [Fact]
    public async Task ContextOptimisticLockingRejectsAStaleSave()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        using var context = new DynamoDBContextBuilder().WithDynamoDBClient(() => Client).Build();
        var config = new SaveConfig { OverrideTableName = table };
        var load = new LoadConfig { OverrideTableName = table, ConsistentRead = true };
        var doc = new VersionedDocument { Id = "doc", Body = "v0" };
        await context.SaveAsync(doc, config).WaitAsync(Timeout);
        Assert.Equal(0, doc.Version);

        var first = await context.LoadAsync<VersionedDocument>("doc", load).WaitAsync(Timeout);
        var second = await context.LoadAsync<VersionedDocument>("doc", load).WaitAsync(Timeout);
        first.Body = "first";
        await context.SaveAsync(first, config).WaitAsync(Timeout);
        Assert.Equal(1, first.Version);
        second.Body = "second";
        await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => context.SaveAsync(second, config).WaitAsync(Timeout));

        var stored = await context.LoadAsync<VersionedDocument>("doc", load).WaitAsync(Timeout);
        Assert.Equal("first", stored.Body);
        Assert.Equal(1, stored.Version);
    }
}
