using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Bench.Reliability;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Reliability.Tests.Infrastructure;
using SdkValue = Amazon.DynamoDBv2.Model.AttributeValue;
using StoreValue = Handshake.Dynamo.Model.AttributeValue;

namespace Handshake.Reliability.Tests.Concurrency;

/// <summary>
/// Invariants under concurrency, on the composed server with many connections: one winner for racing conditional
/// puts, money conserved by transfer transactions (and seen conserved by transactional reads meanwhile), and the
/// table's ItemCount and TableSizeBytes equal to what a Scan finds after a mixed load.
/// </summary>
public sealed class ConcurrencyInvariantTests
{
    [Fact]
    public async Task ThirtyTwoConditionalPutsOnOneKeyHaveExactlyOneWinner()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        await server.CreateTableAsync("race");
        for (int round = 0; round < 5; round++)
        {
            string key = "key-" + round.ToString(CultureInfo.InvariantCulture);
            // An async gate, not a Barrier: 32 thread-pool threads blocked in a Barrier wait for the pool to grow to 32
            // (about one thread per half second on 2 cores), which took this test to its 30 s bound.
            TaskCompletionSource start = new(TaskCreationOptions.RunContinuationsAsynchronously);
            int ready = 0;
            Task<bool>[] racers = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
            {
                using AmazonDynamoDBClient client = RunningServer.NewClient(server.Server.Endpoint, "racer" + i, "racer");
                if (Interlocked.Increment(ref ready) == 32) start.SetResult();
                await start.Task.WaitAsync(Timeouts.Default);
                try
                {
                    await client.PutItemAsync(new PutItemRequest
                    {
                        TableName = "race",
                        Item = new() { ["pk"] = new SdkValue { S = key }, ["winner"] = new SdkValue { N = i.ToString(CultureInfo.InvariantCulture) } },
                        ConditionExpression = "attribute_not_exists(pk)",
                    }).WaitAsync(Timeouts.Default);
                    return true;
                }
                catch (ConditionalCheckFailedException)
                {
                    return false;
                }
            })).ToArray();
            bool[] won = await Task.WhenAll(racers).WaitAsync(Timeouts.Default);

            Assert.Equal(1, won.Count(w => w));
            GetItemResponse item = await server.Client.GetItemAsync("race", new() { ["pk"] = new SdkValue { S = key } }, consistentRead: true).WaitAsync(Timeouts.Default);
            Assert.Equal(Array.IndexOf(won, true).ToString(CultureInfo.InvariantCulture), item.Item["winner"].N);
        }
    }

    [Fact]
    public async Task TransfersBetweenAccountsKeepTheTotal()
    {
        const int Accounts = 10, Workers = 8, TransfersEach = 40;
        await using RunningServer server = await RunningServer.StartAsync();
        await server.CreateTableAsync("accounts");
        for (int a = 0; a < Accounts; a++)
        {
            await server.Client.PutItemAsync("accounts", new() { ["pk"] = new SdkValue { S = Account(a) }, ["balance"] = new SdkValue { N = "100" } }).WaitAsync(Timeouts.Default);
        }

        int committed = 0, cancelled = 0;
        ConcurrentBag<long> observedTotals = [];
        Task[] workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            Random random = new(w);
            using AmazonDynamoDBClient client = RunningServer.NewClient(server.Server.Endpoint, "worker" + w, "worker");
            for (int t = 0; t < TransfersEach; t++)
            {
                int from = random.Next(Accounts), to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
                string amount = random.Next(1, 60).ToString(CultureInfo.InvariantCulture);
                try
                {
                    await client.TransactWriteItemsAsync(new TransactWriteItemsRequest
                    {
                        TransactItems =
                        [
                            new TransactWriteItem { Update = new Update
                            {
                                TableName = "accounts", Key = new() { ["pk"] = new SdkValue { S = Account(from) } },
                                UpdateExpression = "SET balance = balance - :a", ConditionExpression = "balance >= :a",
                                ExpressionAttributeValues = new() { [":a"] = new SdkValue { N = amount } },
                            } },
                            new TransactWriteItem { Update = new Update
                            {
                                TableName = "accounts", Key = new() { ["pk"] = new SdkValue { S = Account(to) } },
                                UpdateExpression = "SET balance = balance + :a",
                                ExpressionAttributeValues = new() { [":a"] = new SdkValue { N = amount } },
                            } },
                        ],
                    }).WaitAsync(Timeouts.Default);
                    Interlocked.Increment(ref committed);
                }
                catch (Exception e) when (e is TransactionCanceledException or TransactionConflictException)
                {
                    Interlocked.Increment(ref cancelled);
                }

                if (t % 8 == 0)
                {
                    TransactGetItemsResponse snapshot = await client.TransactGetItemsAsync(new TransactGetItemsRequest
                    {
                        TransactItems = [.. Enumerable.Range(0, Accounts).Select(a => new TransactGetItem { Get = new Get { TableName = "accounts", Key = new() { ["pk"] = new SdkValue { S = Account(a) } } } })],
                    }).WaitAsync(Timeouts.Default);
                    observedTotals.Add(snapshot.Responses.Sum(r => long.Parse(r.Item["balance"].N, CultureInfo.InvariantCulture)));
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(90));

        ScanResponse scan = await server.Client.ScanAsync(new ScanRequest { TableName = "accounts", ConsistentRead = true }).WaitAsync(Timeouts.Default);
        long[] balances = [.. scan.Items.Select(i => long.Parse(i["balance"].N, CultureInfo.InvariantCulture))];
        Assert.Equal(Accounts, balances.Length);
        Assert.Equal(100L * Accounts, balances.Sum());
        Assert.All(balances, b => Assert.True(b >= 0));
        Assert.Equal(Workers * TransfersEach, committed + cancelled);
        Assert.True(committed > 0);
        Assert.All(observedTotals, total => Assert.Equal(100L * Accounts, total));
    }

    [Fact]
    public async Task ItemCountAndTableSizeBytesAgreeWithAScanAfterAConcurrentMixedLoad()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        await server.CreateTableAsync("mixed", withRange: true);
        Task[] workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            Random random = new(w);
            using AmazonDynamoDBClient client = RunningServer.NewClient(server.Server.Endpoint, "mixed" + w, "mixed");
            for (int i = 0; i < 60; i++)
            {
                Dictionary<string, SdkValue> key = new() { ["pk"] = new SdkValue { S = "p" + random.Next(5) }, ["sk"] = new SdkValue { N = random.Next(40).ToString(CultureInfo.InvariantCulture) } };
                switch (random.Next(5))
                {
                    case 0:
                        await client.PutItemAsync("mixed", new(key) { ["v"] = new SdkValue { S = new string('v', random.Next(1, 3000)) } }).WaitAsync(Timeouts.Default);
                        break;
                    case 1:
                        await client.DeleteItemAsync("mixed", key).WaitAsync(Timeouts.Default);
                        break;
                    case 2:
                        await client.UpdateItemAsync(new UpdateItemRequest
                        {
                            TableName = "mixed", Key = key, UpdateExpression = "ADD n :one SET l = list_append(if_not_exists(l, :empty), :item)",
                            ExpressionAttributeValues = new() { [":one"] = new SdkValue { N = "1" }, [":empty"] = new SdkValue { L = [] }, [":item"] = new SdkValue { L = [new SdkValue { S = "x" }] } },
                        }).WaitAsync(Timeouts.Default);
                        break;
                    case 3:
                        await client.BatchWriteItemAsync(new BatchWriteItemRequest
                        {
                            RequestItems = new() { ["mixed"] = [new WriteRequest { PutRequest = new PutRequest { Item = new(key) { ["b"] = new SdkValue { BOOL = true } } } }] },
                        }).WaitAsync(Timeouts.Default);
                        break;
                    default:
                        try
                        {
                            await client.TransactWriteItemsAsync(new TransactWriteItemsRequest
                            {
                                TransactItems = [new TransactWriteItem { Put = new Put { TableName = "mixed", Item = new(key) { ["t"] = new SdkValue { NS = ["1", "2.5"] } } } }],
                            }).WaitAsync(Timeouts.Default);
                        }
                        catch (TransactionConflictException)
                        {
                            // Another transaction held the item: allowed, and it changes nothing.
                        }

                        break;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(90));

        StoreHttp store = new(server.Http);
        long count = 0, size = 0;
        string? start = null;
        do
        {
            using JsonDocument page = await store.CallOkAsync("Scan",
                start is null ? "{\"TableName\":\"mixed\",\"ConsistentRead\":true}" : $"{{\"TableName\":\"mixed\",\"ConsistentRead\":true,\"ExclusiveStartKey\":{start}}}",
                CancellationToken.None).WaitAsync(Timeouts.Default);
            foreach (JsonElement item in page.RootElement.GetProperty("Items").EnumerateArray())
            {
                Utf8JsonReader reader = new(System.Text.Encoding.UTF8.GetBytes(item.GetRawText()));
                reader.Read();
                string? error = null;
                Dictionary<string, StoreValue> decoded = AttributeValueJson.ReadMap(ref reader, ref error);
                count++;
                size += ItemSize.Of(decoded);
            }

            start = page.RootElement.TryGetProperty("LastEvaluatedKey", out JsonElement last) ? last.GetRawText() : null;
        }
        while (start is not null);

        DescribeTableResponse table = await server.Client.DescribeTableAsync("mixed").WaitAsync(Timeouts.Default);
        Assert.True(count > 0);
        Assert.Equal(count, table.Table.ItemCount);
        Assert.Equal(size, table.Table.TableSizeBytes);
    }

    private static string Account(int index) => "account-" + index.ToString(CultureInfo.InvariantCulture);
}
