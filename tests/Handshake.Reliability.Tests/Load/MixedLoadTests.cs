using Handshake.Bench.Reliability;
using Xunit.Abstractions;

namespace Handshake.Reliability.Tests.Load;

/// <summary>
/// The short version of the 10-minute mixed load (bench `reliability mixed-load`): the real `handshake up`, the store
/// mix and invocations of a Node.js function together, with no error; and the rule that decides "memory stable".
/// </summary>
public sealed class MixedLoadTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-mixed-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task StoreOperationsAndInvocationsRunTogetherWithoutAnError()
    {
        MixedLoadResult result = await MixedLoad.RunAsync(new MixedLoadOptions
        {
            Handshake = Path.Combine(AppContext.BaseDirectory, "handshake.dll"),
            DataDirectory = _directory,
            Duration = TimeSpan.FromSeconds(8),
            Interval = TimeSpan.FromSeconds(4),
            Workers = 4,
            InvokeWorkers = 1,
        }, interval => output.WriteLine(MixedLoadResult.TableRow(interval)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine(result.Summary());
        Assert.True(result.Errors == 0, string.Join('\n', result.FirstErrors));
        Assert.Equal(2, result.Intervals.Count);
        foreach (string operation in MixedLoad.Operations)
        {
            Assert.True(result.Intervals.Sum(i => i.Operations.Single(o => o.Operation == operation).Requests) > 0, $"{operation} ran");
        }

        Assert.All(result.Intervals, i => Assert.True(i.Memory.Anonymous > 0 && i.Memory.Resident >= i.Memory.Anonymous, "the server's RSS was read while it ran"));
        Assert.True(result.Intervals[^1].DataBytes > 0, "the store's files were measured");
    }

    [Theory]
    [InlineData(new long[] { 90, 100, 105, 110 }, true)]
    [InlineData(new long[] { 90, 100, 105, 111 }, false)]
    [InlineData(new long[] { 200, 100, 95 }, true)]
    [InlineData(new long[] { 100, 120 }, false)]
    // Caches filling to their cap over minutes 2-5, then flat (the 10-minute run of 18:44 UTC): stable.
    [InlineData(new long[] { 55, 59, 70, 66, 76, 70, 78, 75, 73, 71 }, true)]
    // A steady leak of 2 MB a minute: the second half's peak is 15 % over the first's.
    [InlineData(new long[] { 60, 62, 64, 66, 68, 70, 72, 74, 76, 78 }, false)]
    public void AnonymousMemoryIsStableWhenTheSecondHalfsPeakIsWithinTenPercentOfTheFirsts(long[] residentMegabytes, bool stable)
    {
        MixedLoadResult result = new([.. residentMegabytes.Select((mb, i) => new MixedLoadInterval(i + 1, 60, [], new ProcessMemory(mb * 1048576 + 50, mb * 1048576, 50), 0))], []);

        Assert.Equal(stable, result.MemoryStable);
    }
}
