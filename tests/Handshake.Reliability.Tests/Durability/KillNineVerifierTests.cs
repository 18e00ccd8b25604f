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
        ledger.AcknowledgedIncrements[0] += 3;
        ledger.SentIncrements[0] += 3;
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
