using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Transactions;

/// <summary>TransactGetItems, ClientRequestToken idempotency on a fake clock, and serializability under concurrency.</summary>
public sealed class TransactionConsistencyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private DynamoServer _server = null!;
    private AmazonDynamoDBClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await DynamoServer.StartAsync(new DynamoServerOptions { Store = new DynamoStoreOptions { InMemory = true, Clock = _clock } })
            .WaitAsync(ServerFixture.Timeout);
        _client = ServerFixture.NewClient(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().AsTask().WaitAsync(ServerFixture.Timeout);
    }

    private static Dictionary<string, AttributeValue> Key(string pk) => new() { ["pk"] = S(pk) };

    private async Task<string> AccountsAsync(string table, int count, int balance)
    {
        await SdkItemTests.CreateTableAsync(_client, table);
        for (int i = 0; i < count; i++)
            await _client.PutItemAsync(new PutItemRequest { TableName = table, Item = new() { ["pk"] = S("acct" + i), ["balance"] = N(balance.ToString()) } })
                .WaitAsync(ServerFixture.Timeout);
        return table;
    }

    private TransactWriteItemsRequest Increment(string table, string token, string amount = "1") => new()
    {
        ClientRequestToken = token,
        TransactItems =
        [
            new() { Update = new Update { TableName = table, Key = Key("acct0"), UpdateExpression = "ADD balance :a", ExpressionAttributeValues = new() { [":a"] = N(amount) } } },
        ],
    };

    private async Task<string> BalanceAsync(string table, string pk) =>
        (await _client.GetItemAsync(new GetItemRequest { TableName = table, Key = Key(pk), ConsistentRead = true }).WaitAsync(ServerFixture.Timeout)).Item["balance"].N;

    [Fact]
    public async Task ATokenAppliesATransactionOnceForTenMinutes()
    {
        var table = await AccountsAsync("idempotent", 1, 0);
        await _client.TransactWriteItemsAsync(Increment(table, "token-1")).WaitAsync(ServerFixture.Timeout);
        await _client.TransactWriteItemsAsync(Increment(table, "token-1")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("1", await BalanceAsync(table, "acct0"));

        var mismatch = await Assert.ThrowsAsync<IdempotentParameterMismatchException>(() =>
            _client.TransactWriteItemsAsync(Increment(table, "token-1", amount: "5")).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.", mismatch.Message);

        _clock.Advance(TimeSpan.FromMinutes(9));
        await _client.TransactWriteItemsAsync(Increment(table, "token-1")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("1", await BalanceAsync(table, "acct0"));

        _clock.Advance(TimeSpan.FromMinutes(2));
        await _client.TransactWriteItemsAsync(Increment(table, "token-1")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("2", await BalanceAsync(table, "acct0"));

        // A cancelled transaction does not consume its token.
        var failing = Increment(table, "token-2");
        failing.TransactItems[0].Update.ConditionExpression = "balance > :big";
        failing.TransactItems[0].Update.ExpressionAttributeValues[":big"] = N("100");
        await Assert.ThrowsAsync<TransactionCanceledException>(() => _client.TransactWriteItemsAsync(failing).WaitAsync(ServerFixture.Timeout));
        await _client.TransactWriteItemsAsync(Increment(table, "token-2")).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("3", await BalanceAsync(table, "acct0"));
    }

    [Fact]
    public async Task TransactGetReturnsItemsInOrderWithProjectionsAndDoubleCapacity()
    {
        var table = await AccountsAsync("reads", 2, 7);
        var result = await _client.TransactGetItemsAsync(new TransactGetItemsRequest
        {
            TransactItems =
            [
                new() { Get = new Get { TableName = table, Key = Key("acct1") } },
                new() { Get = new Get { TableName = table, Key = Key("missing") } },
                new() { Get = new Get { TableName = table, Key = Key("acct0"), ProjectionExpression = "#b", ExpressionAttributeNames = new() { ["#b"] = "balance" } } },
            ],
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(3, result.Responses.Count);
        Assert.Equal("acct1", result.Responses[0].Item["pk"].S);
        Assert.True(result.Responses[1].Item is null or { Count: 0 });
        Assert.Equal(["balance"], result.Responses[2].Item.Keys);
        Assert.Equal(6, Assert.Single(result.ConsumedCapacity).CapacityUnits);
        Assert.Equal(6, result.ConsumedCapacity[0].ReadCapacityUnits);

        var duplicate = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _client.TransactGetItemsAsync(new TransactGetItemsRequest
        {
            TransactItems = [new() { Get = new Get { TableName = table, Key = Key("acct1") } }, new() { Get = new Get { TableName = table, Key = Key("acct1") } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Transaction request cannot include multiple operations on one item", duplicate.Message);
    }

    [Fact]
    public async Task ConcurrentTransfersKeepTheTotalConstantForEveryReader()
    {
        const int Accounts = 8, Workers = 6, TransfersPerWorker = 25, Start = 100;
        var table = await AccountsAsync("bank", Accounts, Start);
        int committed = 0, cancelled = 0, snapshots = 0;

        async Task TransferAsync(int worker)
        {
            var random = new Random(worker);
            for (int i = 0; i < TransfersPerWorker; i++)
            {
                int from = random.Next(Accounts), to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                var amount = N(random.Next(1, 60).ToString());
                try
                {
                    await _client.TransactWriteItemsAsync(new TransactWriteItemsRequest
                    {
                        TransactItems =
                        [
                            new() { Update = new Update { TableName = table, Key = Key("acct" + from), UpdateExpression = "SET balance = balance - :a",
                                ConditionExpression = "balance >= :a", ExpressionAttributeValues = new() { [":a"] = amount } } },
                            new() { Update = new Update { TableName = table, Key = Key("acct" + to), UpdateExpression = "ADD balance :a",
                                ExpressionAttributeValues = new() { [":a"] = amount } } },
                        ],
                    }).WaitAsync(ServerFixture.Timeout);
                    Interlocked.Increment(ref committed);
                }
                catch (TransactionCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                }
            }
        }

        // Plain single-item writes to the same items interleave with the transactions: neither may lose the other's.
        const int Touches = 120;
        async Task TouchAsync()
        {
            for (int i = 0; i < Touches; i++)
            {
                await _client.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = table, Key = Key("acct" + (i % Accounts)), UpdateExpression = "ADD touches :one",
                    ExpressionAttributeValues = new() { [":one"] = N("1") },
                }).WaitAsync(ServerFixture.Timeout);
            }
        }

        var transfers = Enumerable.Range(0, Workers).Select(TransferAsync).Append(TouchAsync()).ToArray();
        var all = Task.WhenAll(transfers);
        var gets = Enumerable.Range(0, Accounts).Select(i => new TransactGetItem { Get = new Get { TableName = table, Key = Key("acct" + i) } }).ToList();
        // Readers run while the transfers do; each snapshot must balance (bounded by the transfers' end and a count).
        for (int reads = 0; reads < 200 && (reads == 0 || !all.IsCompleted); reads++)
        {
            var snapshot = await _client.TransactGetItemsAsync(new TransactGetItemsRequest { TransactItems = gets }).WaitAsync(ServerFixture.Timeout);
            Assert.Equal(Accounts * Start, snapshot.Responses.Sum(r => int.Parse(r.Item["balance"].N)));
            Assert.All(snapshot.Responses, r => Assert.True(int.Parse(r.Item["balance"].N) >= 0));
            snapshots++;
        }
        await all.WaitAsync(ServerFixture.Timeout);

        Assert.Equal(Workers * TransfersPerWorker, committed + cancelled);
        Assert.True(committed > 0);
        Assert.True(snapshots > 0);
        var final = await _client.ScanAsync(new ScanRequest { TableName = table, ConsistentRead = true }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(Accounts * Start, final.Items.Sum(i => int.Parse(i["balance"].N)));
        Assert.Equal(Touches, final.Items.Sum(i => int.Parse(i["touches"].N)));
    }
}
