using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

[Collection(ServerCollection.Name)]
public sealed class UpdateItemTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private static Dictionary<string, AttributeValue> Key(string pk) => new() { ["pk"] = new AttributeValue { S = pk } };

    private Task<UpdateItemResponse> UpdateAsync(string table, string pk, string expression, Dictionary<string, AttributeValue>? values = null,
        Dictionary<string, string>? names = null, ReturnValue? returnValues = null) =>
        Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key(pk),
            UpdateExpression = expression,
            ExpressionAttributeValues = values,
            ExpressionAttributeNames = names,
            ReturnValues = returnValues ?? ReturnValue.NONE,
        }).WaitAsync(ServerFixture.Timeout);

    [Fact]
    public async Task SetRemoveAddDeleteOnNestedPaths()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new(Key("a"))
        {
            ["profile"] = new AttributeValue { M = new() { ["name"] = new AttributeValue { S = "Ann" } } },
            ["list"] = new AttributeValue { L = [new AttributeValue { N = "1" }, new AttributeValue { N = "2" }, new AttributeValue { N = "3" }] },
            ["tags"] = new AttributeValue { SS = ["x", "y"] },
            ["gone"] = new AttributeValue { S = "bye" },
            ["oldtags"] = new AttributeValue { SS = ["x"] },
        }).WaitAsync(ServerFixture.Timeout);

        var result = await UpdateAsync(table, "a",
            "SET profile.#n = :name, #c = if_not_exists(#c, :zero) + :one, #cp = list_append(#l, :more) REMOVE gone, #l[0] ADD tags :z DELETE oldtags :x",
            new()
            {
                [":name"] = new AttributeValue { S = "Bob" },
                [":zero"] = new AttributeValue { N = "0" },
                [":one"] = new AttributeValue { N = "1" },
                [":more"] = new AttributeValue { L = [new AttributeValue { N = "4" }] },
                [":z"] = new AttributeValue { SS = ["z"] },
                [":x"] = new AttributeValue { SS = ["x"] },
            },
            new() { ["#n"] = "name", ["#c"] = "count", ["#cp"] = "copy", ["#l"] = "list" }, ReturnValue.ALL_NEW); // copy and list are reserved words

        var item = result.Attributes;
        Assert.Equal("Bob", item["profile"].M["name"].S);
        Assert.Equal("1", item["count"].N);
        Assert.Equal(["2", "3"], item["list"].L.Select(v => v.N));
        Assert.Equal(["1", "2", "3", "4"], item["copy"].L.Select(v => v.N)); // operands see the item before the update
        Assert.Equal(["x", "y", "z"], item["tags"].SS.Order());
        Assert.False(item.ContainsKey("oldtags")); // DELETE that empties a set removes the attribute
        Assert.False(item.ContainsKey("gone"));
    }

    [Fact]
    public async Task UpdateOfAMissingItemCreatesItWithTheKey()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var result = await UpdateAsync(table, "new", "SET v = :v", new() { [":v"] = new AttributeValue { S = "hello" } }, returnValues: ReturnValue.ALL_NEW);
        Assert.Equal("new", result.Attributes["pk"].S);
        Assert.Equal("hello", result.Attributes["v"].S);
    }

    [Fact]
    public async Task ReturnValuesUpdatedOldAndNew()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new(Key("r")) { ["a"] = new AttributeValue { N = "1" }, ["b"] = new AttributeValue { N = "5" } })
            .WaitAsync(ServerFixture.Timeout);
        var old = await UpdateAsync(table, "r", "SET a = a + :d", new() { [":d"] = new AttributeValue { N = "10" } }, returnValues: ReturnValue.UPDATED_OLD);
        var updated = await UpdateAsync(table, "r", "SET a = a - :d", new() { [":d"] = new AttributeValue { N = "0.5" } }, returnValues: ReturnValue.UPDATED_NEW);
        Assert.Equal("1", Assert.Single(old.Attributes).Value.N);
        Assert.Equal("10.5", Assert.Single(updated.Attributes).Value.N);
    }

    [Fact]
    public async Task ConcurrentCounterIncrementsAreNeverLost()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        const int Writers = 8, PerWriter = 20;
        var tasks = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
                await UpdateAsync(table, "counter", "ADD hits :one", new() { [":one"] = new AttributeValue { N = "1" } });
        }));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        var item = await Client.GetItemAsync(table, Key("counter")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal((Writers * PerWriter).ToString(), item.Item["hits"].N);
    }

    [Fact]
    public async Task UpdatingAKeyAttributeIsRejected()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() =>
            UpdateAsync(table, "k", "SET pk = :v", new() { [":v"] = new AttributeValue { S = "other" } }));
        Assert.Equal("One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key", error.Message);
    }

    [Theory]
    [InlineData("SET a = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]")]
    [InlineData("SET a = :v SET b = :v", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;")]
    [InlineData("ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING")]
    [InlineData("SET a = nope(:v)", "Invalid UpdateExpression: Invalid function name; function: nope")]
    [InlineData("SET a = :v +", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\"")]
    public async Task UpdateExpressionErrors(string expression, string message)
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var values = new Dictionary<string, AttributeValue> { [":v"] = new AttributeValue { N = "1" } };
        if (expression.Contains(":s")) values = new() { [":s"] = new AttributeValue { S = "x" } };
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => UpdateAsync(table, "k", expression, values));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task ArithmeticOnAStringIsATypeError()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new(Key("s")) { ["a"] = new AttributeValue { S = "text" } }).WaitAsync(ServerFixture.Timeout);
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() =>
            UpdateAsync(table, "s", "SET a = a + :one", new() { [":one"] = new AttributeValue { N = "1" } }));
        Assert.Equal("An operand in the update expression has an incorrect data type", error.Message);
        var item = await Client.GetItemAsync(table, Key("s")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("text", item.Item["a"].S);
    }

    [Fact]
    public async Task FailedConditionLeavesTheItemUnchangedAndCanReturnIt()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(table, new(Key("c")) { ["v"] = new AttributeValue { N = "1" } }).WaitAsync(ServerFixture.Timeout);
        var error = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("c"),
            UpdateExpression = "SET v = :two",
            ConditionExpression = "v = :zero",
            ExpressionAttributeValues = new() { [":two"] = new AttributeValue { N = "2" }, [":zero"] = new AttributeValue { N = "0" } },
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("1", error.Item["v"].N);
    }
}
