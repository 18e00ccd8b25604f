using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Transactions;

/// <summary>TransactWriteItems through the SDK and raw HTTP: all or nothing, reasons in order, top-level errors, capacity.</summary>
[Collection(ServerCollection.Name)]
public sealed class TransactWriteTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private static Dictionary<string, AttributeValue> Key(string pk) => new() { ["pk"] = S(pk) };

    private async Task<string> AccountsAsync(params (string Pk, int Balance)[] accounts)
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        foreach (var (pk, balance) in accounts)
            await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S(pk), ["balance"] = N(balance.ToString()) } })
                .WaitAsync(ServerFixture.Timeout);
        return table;
    }

    private async Task<string?> BalanceAsync(string table, string pk)
    {
        var got = await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = Key(pk), ConsistentRead = true }).WaitAsync(ServerFixture.Timeout);
        return got.IsItemSet ? got.Item["balance"].N : null;
    }

    private static TransactWriteItem Debit(string table, string pk, int amount) => new()
    {
        Update = new Update
        {
            TableName = table, Key = Key(pk), UpdateExpression = "SET balance = balance - :a", ConditionExpression = "balance >= :a",
            ExpressionAttributeValues = new() { [":a"] = N(amount.ToString()) },
        },
    };

    [Fact]
    public async Task AFailedActionCancelsEveryActionAndReportsReasonsInOrder()
    {
        var table = await AccountsAsync(("a", 100), ("c", 5));
        var items = new List<TransactWriteItem>
        {
            new() { Put = new Put { TableName = table, Item = new() { ["pk"] = S("b"), ["balance"] = N("1") } } },
            Debit(table, "a", 30),
            new() { Delete = new Delete { TableName = table, Key = Key("c") } },
            new() { ConditionCheck = new ConditionCheck { TableName = table, Key = Key("d"), ConditionExpression = "attribute_exists(pk)" } },
        };
        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() =>
            Client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, None, ConditionalCheckFailed]", error.Message);
        Assert.Equal(["None", "None", "None", "ConditionalCheckFailed"], error.CancellationReasons.Select(r => r.Code));
        Assert.Equal("The conditional request failed", error.CancellationReasons[3].Message);
        Assert.Null(await BalanceAsync(table, "b"));
        Assert.Equal("100", await BalanceAsync(table, "a"));
        Assert.Equal("5", await BalanceAsync(table, "c"));

        items[3] = new() { ConditionCheck = new ConditionCheck { TableName = table, Key = Key("d"), ConditionExpression = "attribute_not_exists(pk)" } };
        await Client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("1", await BalanceAsync(table, "b"));
        Assert.Equal("70", await BalanceAsync(table, "a"));
        Assert.Null(await BalanceAsync(table, "c"));
        Assert.Null(await BalanceAsync(table, "d"));
    }

    [Fact]
    public async Task EveryFailedConditionIsReportedAndAllOldReturnsTheItem()
    {
        var table = await AccountsAsync(("a", 10), ("b", 10), ("c", 10));
        var debitB = Debit(table, "b", 50);
        debitB.Update.ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD;
        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() => Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [Debit(table, "a", 5), debitB, Debit(table, "c", 50)],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(["None", "ConditionalCheckFailed", "ConditionalCheckFailed"], error.CancellationReasons.Select(r => r.Code));
        Assert.Equal("10", error.CancellationReasons[1].Item["balance"].N);
        Assert.True(error.CancellationReasons[2].Item is null or { Count: 0 });
        Assert.Equal("10", await BalanceAsync(table, "a"));
    }

    [Fact]
    public async Task ItemDependentValidationCancelsWithValidationError()
    {
        var table = await AccountsAsync(("a", 10));
        await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("s"), ["balance"] = S("text") } })
            .WaitAsync(ServerFixture.Timeout);
        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() => Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                Debit(table, "a", 1),
                new() { Update = new Update { TableName = table, Key = Key("s"), UpdateExpression = "SET balance = balance + :a", ExpressionAttributeValues = new() { [":a"] = N("1") } } },
            ],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(["None", "ValidationError"], error.CancellationReasons.Select(r => r.Code));
        Assert.Equal("An operand in the update expression has an incorrect data type", error.CancellationReasons[1].Message);
        Assert.Equal("10", await BalanceAsync(table, "a"));
    }

    [Fact]
    public async Task RequestLevelProblemsAreTopLevelErrors()
    {
        var table = await AccountsAsync(("a", 10));
        string put(string pk) => $$$$$$"""{"Put":{"TableName":"{{{{{{table}}}}}}","Item":{"pk":{"S":"{{{{{{pk}}}}}}"}}}}""";
        var (_, type, message) = await ErrorAsync(fixture, "TransactWriteItems", "{\"TransactItems\":[" + put("x") + "," + put("x") + "]}");
        Assert.Equal(("ValidationException", "Transaction request cannot include multiple operations on one item"), (type, message));

        var many = string.Join(",", Enumerable.Range(0, 101).Select(i => put("k" + i)));
        (_, type, message) = await ErrorAsync(fixture, "TransactWriteItems", "{\"TransactItems\":[" + many + "]}");
        Assert.Equal("ValidationException", type);
        Assert.StartsWith("1 validation error detected: Value '[", message);
        Assert.EndsWith("]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100", message);

        (_, _, message) = await ErrorAsync(fixture, "TransactWriteItems", "{\"TransactItems\":[]}");
        Assert.Equal("1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1", message);

        (_, _, message) = await ErrorAsync(fixture, "TransactWriteItems",
            "{\"TransactItems\":[{\"Put\":{\"TableName\":\"" + table + "\",\"Item\":{\"pk\":{\"S\":\"y\"}}},\"Delete\":{\"TableName\":\"" + table + "\",\"Key\":{\"pk\":{\"S\":\"z\"}}}}]}");
        Assert.Equal("TransactItems can only contain one of Check, Put, Update or Delete", message);

        (type, _) = (await ErrorAsync(fixture, "TransactWriteItems", "{\"TransactItems\":[" + put("x").Replace(table, "missing-table") + "]}")) is var e ? (e.Type, e.Message) : default;
        Assert.Equal("ResourceNotFoundException", type);

        (_, _, message) = await ErrorAsync(fixture, "TransactWriteItems",
            "{\"TransactItems\":[{\"ConditionCheck\":{\"TableName\":\"" + table + "\",\"Key\":{\"pk\":{\"S\":\"a\"}}}}]}");
        Assert.Equal("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null", message);
        Assert.Equal("10", await BalanceAsync(table, "a"));
    }

    // As captured from AWS by the public DynamoDB conformance suite (paritysuite/dynamodb-conformance,
    // tests/tier3/error-messages/transactWriteItems.test.ts): a wrong-typed or non-scalar table key cancels the
    // transaction with a ValidationError reason; an empty one is a top-level error.
    [Theory]
    [InlineData("""{"Put":{"TableName":"T","Item":{"pk":{"N":"5"}}}}""", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")]
    [InlineData("""{"Put":{"TableName":"T","Item":{"pk":{"L":[{"S":"x"}]}}}}""", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: L")]
    [InlineData("""{"Update":{"TableName":"T","Key":{"pk":{"N":"5"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}}""", "The provided key element does not match the schema")]
    [InlineData("""{"Delete":{"TableName":"T","Key":{"pk":{"L":[{"S":"x"}]}}}}""", "The provided key element does not match the schema")]
    [InlineData("""{"ConditionCheck":{"TableName":"T","Key":{"pk":{"N":"5"}},"ConditionExpression":"attribute_not_exists(pk)"}}""", "The provided key element does not match the schema")]
    public async Task WrongTypedTableKeysCancelWithAValidationErrorReason(string action, string reason)
    {
        var table = await AccountsAsync(("a", 10));
        var response = await fixture.PostAsync("TransactWriteItems", "{\"TransactItems\":[" + action.Replace("\"T\"", "\"" + table + "\"") + "]}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]", body.RootElement.GetProperty("Message").GetString());
        var reasons = body.RootElement.GetProperty("CancellationReasons");
        Assert.Equal(1, reasons.GetArrayLength());
        Assert.Equal("ValidationError", reasons[0].GetProperty("Code").GetString());
        Assert.Equal(reason, reasons[0].GetProperty("Message").GetString());
        Assert.Equal("10", await BalanceAsync(table, "a"));
    }

    // The same suite's transactGetItems.test.ts: an empty Key cancels the reads with a ValidationError reason.
    [Fact]
    public async Task TransactGetItemsCancelsAKeyThatDoesNotMatchTheSchema()
    {
        var table = await AccountsAsync(("a", 10));
        var response = await fixture.PostAsync("TransactGetItems", "{\"TransactItems\":[{\"Get\":{\"TableName\":\"" + table
            + "\",\"Key\":{\"pk\":{\"S\":\"a\"}}}},{\"Get\":{\"TableName\":\"" + table + "\",\"Key\":{}}}]}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        Assert.EndsWith("#TransactionCanceledException", body.RootElement.GetProperty("__type").GetString());
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]", body.RootElement.GetProperty("Message").GetString());
        var reasons = body.RootElement.GetProperty("CancellationReasons");
        Assert.Equal("None", reasons[0].GetProperty("Code").GetString());
        Assert.Equal("ValidationError", reasons[1].GetProperty("Code").GetString());
        Assert.Equal("The provided key element does not match the schema", reasons[1].GetProperty("Message").GetString());

        // An empty string in a key is still a top-level error.
        var (_, type, message) = await ErrorAsync(fixture, "TransactGetItems", "{\"TransactItems\":[{\"Get\":{\"TableName\":\"" + table
            + "\",\"Key\":{\"pk\":{\"S\":\"\"}}}}]}");
        Assert.Equal(("ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"), (type, message));
    }

    [Fact]
    public async Task IndexKeysAreCheckedLikeDynamoDbDoesInTransactions()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        var (_, type, message) = await ErrorAsync(fixture, "TransactWriteItems", $$$$$$"""
            {"TransactItems":[{"Put":{"TableName":"{{{{{{table}}}}}}","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"category":{"S":""}}}}]}
            """);
        Assert.Equal("ValidationException", type);
        Assert.Equal("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi-category, IndexKey: category", message);

        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() => Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [new() { Put = new Put { TableName = table, Item = new() { ["pk"] = S("a"), ["sk"] = N("1"), ["status"] = N("5") } } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("ValidationError", Assert.Single(error.CancellationReasons).Code);
        Assert.Equal("One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: lsi-status", error.CancellationReasons[0].Message);

        await Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [new() { Put = new Put { TableName = table, Item = new() { ["pk"] = S("a"), ["sk"] = N("1"), ["category"] = S("c") } } }],
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Single(Rows(fixture.Server.Store, table, CategoryGsi));
    }

    [Fact]
    public async Task TransactionsCostTwiceThePlainWrites()
    {
        var table = await AccountsAsync(("a", 10), ("b", 10));
        var result = await Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                Debit(table, "a", 1),
                new() { ConditionCheck = new ConditionCheck { TableName = table, Key = Key("b"), ConditionExpression = "attribute_exists(pk)" } },
                new() { Put = new Put { TableName = table, Item = new() { ["pk"] = S("big"), ["blob"] = S(new string('x', 1500)) } } },
            ],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        var capacity = Assert.Single(result.ConsumedCapacity);
        Assert.Equal(table, capacity.TableName);
        Assert.Equal(2 + 2 + 4, capacity.CapacityUnits);
        Assert.Equal(8, capacity.WriteCapacityUnits);
    }
}
