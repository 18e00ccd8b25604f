using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.PartiQL;

/// <summary>BatchExecuteStatement and ExecuteTransaction through the .NET SDK: per-statement errors, all-or-nothing, idempotency.</summary>
[Collection(ServerCollection.Name)]
public sealed class PartiQLBatchAndTransactionTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private Task<BatchExecuteStatementResponse> BatchAsync(params string[] statements) =>
        Client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest
        {
            Statements = [.. statements.Select(s => new BatchStatementRequest { Statement = s })],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);

    private Task<ExecuteTransactionResponse> TransactAsync(string? token, params string[] statements) =>
        Client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements = [.. statements.Select(s => new ParameterizedStatement { Statement = s })],
            ClientRequestToken = token,
        }).WaitAsync(ServerFixture.Timeout);

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string table, string pk)
    {
        var r = await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["pk"] = S(pk) }, ConsistentRead = true })
            .WaitAsync(ServerFixture.Timeout);
        return r.Item is { Count: > 0 } ? r.Item : null;
    }

    private async Task<string> TableAsync(params string[] keys)
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        foreach (var k in keys)
            await Client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S(k), ["v"] = N("1") } }).WaitAsync(ServerFixture.Timeout);
        return table;
    }

    [Fact]
    public async Task ABatchOfWritesAnswersEachStatementInOrderAndAFailureStaysItsOwn()
    {
        var table = await TableAsync("exists", "upd");
        var r = await BatchAsync(
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'v': 1}}",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'exists', 'v': 2}}",
            $"UPDATE \"{table}\" SET v = 5 WHERE pk = 'upd'",
            $"UPDATE \"{table}\" SET v = 5 WHERE pk = 'missing'",
            $"DELETE FROM \"{table}\" WHERE pk = 'gone'",
            "SELEC nonsense");
        Assert.Equal(6, r.Responses.Count);
        Assert.Null(r.Responses[0].Error);
        Assert.Equal(table, r.Responses[0].TableName);
        Assert.Equal("DuplicateItem", r.Responses[1].Error.Code.Value);
        Assert.Equal("Duplicate primary key exists in table", r.Responses[1].Error.Message);
        Assert.Null(r.Responses[2].Error);
        Assert.Equal("ConditionalCheckFailed", r.Responses[3].Error.Code.Value);
        Assert.Null(r.Responses[4].Error);
        Assert.Equal("ValidationError", r.Responses[5].Error.Code.Value);
        Assert.Equal("Statement wasn't well formed, can't be processed: Expected data manipulation", r.Responses[5].Error.Message);

        Assert.NotNull(await GetAsync(table, "new"));
        Assert.Equal("1", (await GetAsync(table, "exists"))!["v"].N);
        Assert.Equal("5", (await GetAsync(table, "upd"))!["v"].N);
        Assert.Null(await GetAsync(table, "missing"));
        Assert.Equal(table, Assert.Single(r.ConsumedCapacity).TableName);
        Assert.Equal(3, r.ConsumedCapacity[0].CapacityUnits);
    }

    [Fact]
    public async Task ABatchOfReadsGetsEachItemByItsKey()
    {
        var table = await TableAsync("a", "b");
        var r = await BatchAsync(
            $"SELECT * FROM \"{table}\" WHERE pk = 'a'",
            $"SELECT v FROM \"{table}\" WHERE pk = 'missing'",
            $"SELECT pk FROM \"{table}\" WHERE pk = 'b'",
            $"SELECT * FROM \"{table}\" WHERE v = 1",
            "SELECT * FROM \"no-such-table\" WHERE pk = 'a'");
        Assert.Equal("1", r.Responses[0].Item["v"].N);
        Assert.Equal(table, r.Responses[1].TableName);
        Assert.True(r.Responses[1].Item is null or { Count: 0 });
        Assert.Equal(["pk"], r.Responses[2].Item.Keys);
        Assert.Equal("ValidationError", r.Responses[3].Error.Code.Value);
        Assert.Equal("Where clause does not contain a mandatory equality on all key attributes", r.Responses[3].Error.Message);
        Assert.Equal("ResourceNotFound", r.Responses[4].Error.Code.Value);
    }

    [Fact]
    public async Task ABatchMixingReadsAndWritesOrNamingAnItemTwiceIsRefusedWhole()
    {
        var table = await TableAsync("a");
        var mixed = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => BatchAsync(
            $"SELECT * FROM \"{table}\" WHERE pk = 'a'", $"INSERT INTO \"{table}\" VALUE {{'pk': 'b'}}"));
        Assert.Equal("ValidationException", mixed.ErrorCode);
        Assert.Equal("Read and write requests together in the same batch is not supported.", mixed.Message);
        Assert.Null(await GetAsync(table, "b"));

        var twice = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => BatchAsync(
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'c'}}", $"UPDATE \"{table}\" SET v = 2 WHERE pk = 'c'"));
        Assert.Equal("Provided list of item keys contains duplicates", twice.Message);
        Assert.Null(await GetAsync(table, "c"));

        var tooMany = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => BatchAsync(
            [.. Enumerable.Range(0, 26).Select(i => $"INSERT INTO \"{table}\" VALUE {{'pk': 'x{i}'}}")]));
        Assert.Equal("ValidationException", tooMany.ErrorCode);
        Assert.EndsWith("failed to satisfy constraint: Member must have length less than or equal to 25", tooMany.Message);
        Assert.Null(await GetAsync(table, "x0"));
    }

    [Fact]
    public async Task ABatchWriteWithReturnValuesOnConditionCheckFailureCarriesTheItemInItsError()
    {
        var table = await TableAsync("a");
        var r = await Client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest
        {
            Statements =
            [
                new BatchStatementRequest
                {
                    Statement = $"UPDATE \"{table}\" SET v = 3 WHERE pk = 'a' AND v = 2",
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
            ],
        }).WaitAsync(ServerFixture.Timeout);
        var error = Assert.Single(r.Responses).Error;
        Assert.Equal("ConditionalCheckFailed", error.Code.Value);
        Assert.Equal("1", error.Item["v"].N);
    }

    [Fact]
    public async Task ATransactionAppliesEveryWriteTogether()
    {
        var table = await TableAsync("upd", "del", "check");
        var r = await TransactAsync(null,
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'new', 'v': 1}}",
            $"UPDATE \"{table}\" SET v = v + 1 WHERE pk = 'upd'",
            $"DELETE FROM \"{table}\" WHERE pk = 'del'",
            $"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'check' AND v = 1)");
        Assert.Equal(4, r.Responses.Count);
        Assert.NotNull(await GetAsync(table, "new"));
        Assert.Equal("2", (await GetAsync(table, "upd"))!["v"].N);
        Assert.Null(await GetAsync(table, "del"));
    }

    [Fact]
    public async Task ACancelledTransactionWritesNothingAndGivesItsReasonsInOrder()
    {
        var table = await TableAsync("exists", "upd", "check");
        var e = await Assert.ThrowsAsync<TransactionCanceledException>(() => TransactAsync(null,
            $"UPDATE \"{table}\" SET v = 9 WHERE pk = 'upd'",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'exists'}}",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'fresh'}}",
            $"UPDATE \"{table}\" SET v = 9 WHERE pk = 'missing'",
            $"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'check' AND v = 2)"));
        Assert.Equal(["None", "DuplicateItem", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"],
            e.CancellationReasons.Select(c => c.Code));
        Assert.Equal("Duplicate primary key exists in table", e.CancellationReasons[1].Message);
        Assert.Equal("Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem, None, ConditionalCheckFailed, ConditionalCheckFailed]",
            e.Message);
        Assert.Equal("1", (await GetAsync(table, "upd"))!["v"].N);
        Assert.Null(await GetAsync(table, "fresh"));
    }

    [Fact]
    public async Task ATransactionTokenMakesARetryANoOp()
    {
        var table = await TableAsync("n");
        string token = Guid.NewGuid().ToString();
        await TransactAsync(token, $"UPDATE \"{table}\" SET v = v + 1 WHERE pk = 'n'");
        await TransactAsync(token, $"UPDATE \"{table}\" SET v = v + 1 WHERE pk = 'n'");
        Assert.Equal("2", (await GetAsync(table, "n"))!["v"].N);
        await Assert.ThrowsAsync<IdempotentParameterMismatchException>(() => TransactAsync(token, $"UPDATE \"{table}\" SET v = v + 5 WHERE pk = 'n'"));
        Assert.Equal("2", (await GetAsync(table, "n"))!["v"].N);
    }

    [Fact]
    public async Task AReadTransactionReturnsEachItemInOrder()
    {
        var table = await TableAsync("a", "b");
        var r = await TransactAsync(null,
            $"SELECT * FROM \"{table}\" WHERE pk = 'b'",
            $"SELECT v FROM \"{table}\" WHERE pk = 'missing'",
            $"SELECT pk FROM \"{table}\" WHERE pk = 'a'");
        Assert.Equal("b", r.Responses[0].Item["pk"].S);
        Assert.True(r.Responses[1].Item is null or { Count: 0 });
        Assert.Equal(["pk"], r.Responses[2].Item.Keys);

        var scan = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => TransactAsync(null, $"SELECT * FROM \"{table}\" WHERE v = 1"));
        Assert.Equal("Select statements within ExecuteTransaction must specify the primary key in the where clause.", scan.Message);
        var mixed = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => TransactAsync(null,
            $"SELECT * FROM \"{table}\" WHERE pk = 'a'", $"DELETE FROM \"{table}\" WHERE pk = 'b'"));
        Assert.Equal("ExecuteTransaction API does not support both read and write operations in the same request.", mixed.Message);
        Assert.NotNull(await GetAsync(table, "b"));
    }

    [Fact]
    public async Task ATransactionRefusesTwoStatementsOnOneItemAndAMalformedOneBeforeWriting()
    {
        var table = await TableAsync("a");
        var twice = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => TransactAsync(null,
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'b'}}", $"DELETE FROM \"{table}\" WHERE pk = 'b'"));
        Assert.Equal("Transaction request cannot include multiple operations on one item", twice.Message);
        var malformed = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => TransactAsync(null,
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'b'}}", $"DELETE \"{table}\" WHERE pk = 'a'"));
        Assert.Equal("ValidationException", malformed.ErrorCode);
        Assert.StartsWith("Statement wasn't well formed, can't be processed: ", malformed.Message);
        Assert.Null(await GetAsync(table, "b"));
        Assert.NotNull(await GetAsync(table, "a"));
    }

    [Fact]
    public async Task TransactionsAndBatchReadsReportTheCapacityOfTheirUnderlyingOperations()
    {
        var table = await TableAsync("a", "b");
        var writes = await Client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements =
            [
                new ParameterizedStatement { Statement = $"UPDATE \"{table}\" SET v = 2 WHERE pk = 'a'" },
                new ParameterizedStatement { Statement = $"INSERT INTO \"{table}\" VALUE {{'pk': 'c'}}" },
            ],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        var written = Assert.Single(writes.ConsumedCapacity);
        Assert.Equal(4, written.CapacityUnits);
        Assert.Equal(4, written.WriteCapacityUnits);

        var reads = await Client.ExecuteTransactionAsync(new ExecuteTransactionRequest
        {
            TransactStatements =
            [
                new ParameterizedStatement { Statement = $"SELECT * FROM \"{table}\" WHERE pk = ?", Parameters = [S("a")] },
                new ParameterizedStatement { Statement = $"SELECT * FROM \"{table}\" WHERE pk = ?", Parameters = [S("b")] },
            ],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("2", reads.Responses[0].Item["v"].N);
        Assert.Equal(4, Assert.Single(reads.ConsumedCapacity).ReadCapacityUnits);

        var batch = await Client.BatchExecuteStatementAsync(new BatchExecuteStatementRequest
        {
            Statements =
            [
                new BatchStatementRequest { Statement = $"SELECT * FROM \"{table}\" WHERE pk = 'a'", ConsistentRead = true },
                new BatchStatementRequest { Statement = $"SELECT * FROM \"{table}\" WHERE pk = 'b'" },
            ],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(1.5, Assert.Single(batch.ConsumedCapacity).CapacityUnits);
    }

    [Fact]
    public async Task EmptyStatementListsFailTheirMemberConstraint()
    {
        var (_, type, message) = await ErrorAsync(fixture, "BatchExecuteStatement", "{\"Statements\":[]}");
        Assert.Equal("ValidationException", type);
        Assert.Equal("1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1", message);
        (_, type, message) = await ErrorAsync(fixture, "ExecuteTransaction", "{}");
        Assert.Equal("1 validation error detected: Value null at 'transactStatements' failed to satisfy constraint: Member must not be null", message);

        var response = await fixture.PostAsync("BatchExecuteStatement", "{\"Statements\":[{\"Statement\":\"DELETE FROM \\\"nope-table\\\" WHERE pk = 'a'\"}]}");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        var entry = doc.RootElement.GetProperty("Responses")[0];
        Assert.Equal("ResourceNotFound", entry.GetProperty("Error").GetProperty("Code").GetString());
        Assert.False(entry.TryGetProperty("TableName", out _));
    }
}
