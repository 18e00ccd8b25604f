using Amazon.DynamoDBv2.Model;
using Handshake.Bench.Reliability;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.Durability;

/// <summary>The harness's check can fail: an acknowledged write that is not there, and a counter below its acknowledgements, are reported.</summary>
public sealed class KillNineVerifierTests
{
    [Fact]
    public async Task AMissingWriteAndAShortCounterAreReported()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        StoreHttp store = new(server.Http);
        await KillNineWorkload.CreateTablesAsync(store, CancellationToken.None).WaitAsync(Timeouts.Default);
        KillNineLedger ledger = new();
        await KillNineWorkload.RunWorkerAsync(store, ledger, "w", 1, transactions: true, new CancellationTokenSource(TimeSpan.FromMilliseconds(300)).Token).WaitAsync(Timeouts.Default);
        KillNineCheck clean = await KillNineVerifier.CheckAsync(store, ledger, CancellationToken.None).WaitAsync(Timeouts.Default);
        Assert.Equal((0L, 0L, 0L), (clean.Lost, clean.Torn, clean.CounterViolations));

        ledger.Puts["never-written"] = KillNineWorkload.Value("never-written", 20);
        // Counter 0 three short of its acknowledgements. The stored value lies anywhere between the acknowledged and the
        // sent increments (cancelling the worker can leave an increment applied but unacknowledged), so the ledger is
        // pinned to the stored value first and the shortfall is exactly 3.
        GetItemResponse counter = await server.Client.GetItemAsync("counters", new()
        {
            ["pk"] = new() { S = KillNineWorkload.Counter(0) },
        }, consistentRead: true).WaitAsync(Timeouts.Default);
        long stored = counter.Item is { Count: > 0 } item ? long.Parse(item["n"].N, System.Globalization.CultureInfo.InvariantCulture) : 0;
        ledger.AcknowledgedIncrements[0] = stored + 3;
        ledger.SentIncrements[0] = stored + 3;
        await server.Client.PutItemAsync("transactions", new()
        {
            ["pk"] = new() { S = "half-a" },
            ["tx"] = new() { S = "half" },
            ["v"] = new() { S = KillNineWorkload.Value("half", 10) },
        }).WaitAsync(Timeouts.Default);

        KillNineCheck broken = await KillNineVerifier.CheckAsync(store, ledger, CancellationToken.None).WaitAsync(Timeouts.Default);
        Assert.Equal(1 + 3, broken.Lost);
        Assert.Equal(1, broken.Torn);
        Assert.Equal(1, broken.CounterViolations);
    }
}
