using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>DynamoDB's 32 levels of nesting, through the official SDK: 31 map wraps are stored, 32 are refused and nothing is written.</summary>
public sealed class ItemNestingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Message = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

    private static AttributeValue Wrapped(int maps)
    {
        var value = new AttributeValue { S = "deep" };
        for (int i = 0; i < maps; i++) value = new AttributeValue { M = new Dictionary<string, AttributeValue> { ["n"] = value } };
        return value;
    }

    private static AttributeValue WrappedInLists(int lists)
    {
        var value = new AttributeValue { N = "1" };
        for (int i = 0; i < lists; i++) value = new AttributeValue { L = [value] };
        return value;
    }

    [Fact]
    public async Task PutItemTakes31WrapsAndRefuses32WithNothingWritten()
    {
        string table = fixture.NewTableName("nest");
        await SdkItemTests.CreateTableAsync(fixture.Client, table);
        await fixture.Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue("ok"), ["doc"] = Wrapped(31) }).WaitAsync(ServerFixture.Timeout);
        await fixture.Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue("list"), ["doc"] = WrappedInLists(31) }).WaitAsync(ServerFixture.Timeout);

        foreach (var deep in new[] { Wrapped(32), WrappedInLists(32) })
        {
            var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() =>
                fixture.Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue("deep"), ["doc"] = deep }).WaitAsync(ServerFixture.Timeout));
            Assert.Equal("ValidationException", error.ErrorCode);
            Assert.Equal(Message, error.Message);
        }

        var batch = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => fixture.Client.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>>
        {
            [table] = [new WriteRequest(new PutRequest(new() { ["pk"] = new AttributeValue("batch"), ["doc"] = Wrapped(32) }))],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(Message, batch.Message);

        var transaction = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => fixture.Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [new TransactWriteItem { Put = new Put { TableName = table, Item = new() { ["pk"] = new AttributeValue("tx"), ["doc"] = Wrapped(32) } } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(Message, transaction.Message);

        var scan = await fixture.Client.ScanAsync(new ScanRequest(table)).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(["list", "ok"], scan.Items.Select(i => i["pk"].S).Order());
    }

    [Fact]
    public async Task AnUpdateThatNestsTooDeepIsRefusedAndTheItemIsUnchanged()
    {
        string table = fixture.NewTableName("nest");
        await SdkItemTests.CreateTableAsync(fixture.Client, table);
        await fixture.Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue("u"), ["doc"] = Wrapped(30) }).WaitAsync(ServerFixture.Timeout);

        // doc.n holds 29 maps around the scalar; 31 there put it 33 levels deep (doc, n, then 31 maps).
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => fixture.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["pk"] = new AttributeValue("u") },
            UpdateExpression = "SET doc.n = :v",
            ExpressionAttributeValues = new() { [":v"] = Wrapped(31) },
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(Message, error.Message);
        var unchanged = (await fixture.Client.GetItemAsync(table, new() { ["pk"] = new AttributeValue("u") }).WaitAsync(ServerFixture.Timeout)).Item;
        Assert.Equal(30, Levels(unchanged["doc"]));

        // One map less fits exactly: the scalar 32 levels deep.
        await fixture.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["pk"] = new AttributeValue("u") },
            UpdateExpression = "SET doc.n = :v",
            ExpressionAttributeValues = new() { [":v"] = Wrapped(30) },
        }).WaitAsync(ServerFixture.Timeout);
        var item = (await fixture.Client.GetItemAsync(table, new() { ["pk"] = new AttributeValue("u") }).WaitAsync(ServerFixture.Timeout)).Item;
        Assert.Equal(31, Levels(item["doc"]));
    }

    [Fact]
    public async Task ATransactionsUpdateThatNestsTooDeepCancelsAndWritesNothing()
    {
        string table = fixture.NewTableName("nest");
        await SdkItemTests.CreateTableAsync(fixture.Client, table);
        await fixture.Client.PutItemAsync(table, new() { ["pk"] = new AttributeValue("u"), ["doc"] = Wrapped(30) }).WaitAsync(ServerFixture.Timeout);

        // The same update as UpdateItem's above, as the second action: the whole transaction is cancelled.
        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() => fixture.Client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                new TransactWriteItem { Put = new Put { TableName = table, Item = new() { ["pk"] = new AttributeValue("other") } } },
                new TransactWriteItem
                {
                    Update = new Update
                    {
                        TableName = table,
                        Key = new() { ["pk"] = new AttributeValue("u") },
                        UpdateExpression = "SET doc.n = :v",
                        ExpressionAttributeValues = new() { [":v"] = Wrapped(31) },
                    },
                },
            ],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(["None", "ValidationError"], error.CancellationReasons.Select(r => r.Code));
        Assert.Equal(Message, error.CancellationReasons[1].Message);

        // PartiQL's UPDATE in ExecuteTransaction is the same transaction action.
        var partiQL = await Assert.ThrowsAsync<TransactionCanceledException>(() => fixture.Client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements = [new ParameterizedStatement { Statement = $"UPDATE \"{table}\" SET doc.n = ? WHERE pk = 'u'", Parameters = [Wrapped(31)] }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(Message, Assert.Single(partiQL.CancellationReasons).Message);

        var scan = await fixture.Client.ScanAsync(new ScanRequest(table) { ConsistentRead = true }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(30, Levels(Assert.Single(scan.Items)["doc"]));
    }

    private static int Levels(AttributeValue value)
    {
        int maps = 0;
        for (; value.M is { Count: > 0 } map; value = map["n"]) maps++;
        return maps;
    }
}
