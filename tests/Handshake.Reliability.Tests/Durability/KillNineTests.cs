using Handshake.Bench.Reliability;
using Handshake.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Handshake.Reliability.Tests.Durability;

/// <summary>
/// The short version of the kill -9 harness: `handshake up` on a data directory, SIGKILLed three times under concurrent
/// puts, ADD counters and transactions; after each restart every acknowledged write is there and nothing is torn.
/// </summary>
public sealed class KillNineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-kill9-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesThreeKills()
    {
        KillNineResult result = await KillNineHarness.RunAsync(new KillNineOptions
        {
            Handshake = Path.Combine(AppContext.BaseDirectory, "handshake.dll"),
            DataDirectory = _directory,
            Cycles = 3,
            Workers = 4,
            MinimumRun = TimeSpan.FromMilliseconds(400),
            MaximumRun = TimeSpan.FromMilliseconds(1200),
            Log = output.WriteLine,
        }).WaitAsync(TimeSpan.FromSeconds(100));

        output.WriteLine($"{result.Cycles} cycles, {result.AcknowledgedWrites} acknowledged writes ({result.Puts} puts, {result.Increments} increments, {result.Transactions} transactions), {result.Lost} lost, {result.Torn} torn");
        Assert.True(result.Problems.Count == 0, string.Join('\n', result.Problems));
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Torn);
        Assert.Equal(0, result.CounterViolations);
        Assert.True(result.TransactionsCovered);
        Assert.True(result.Puts > 0 && result.Increments > 0 && result.Transactions > 0, "every kind of write was acknowledged at least once");
    }
}
