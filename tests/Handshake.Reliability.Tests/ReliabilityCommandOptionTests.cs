using Handshake.Bench.Reliability;

namespace Handshake.Reliability.Tests;

/// <summary>
/// `reliability kill-nine --cycels 3` used to run the 100-cycle default: the command's own parser took any
/// `--name value` pair and looked up only the names it knew. A mistyped option, an option without its value and a bad
/// value are now refused (the usage, status 2) before anything runs.
/// </summary>
public sealed class ReliabilityCommandOptionTests
{
    // Should a refused command line ever run its scenario again, it fails at once on this handshake instead of starting
    // servers and load from the test.
    private static readonly string Missing = Path.Combine(Path.GetTempPath(), "handshake-options-test-" + Guid.NewGuid().ToString("N"), "handshake");

    [Theory]
    [InlineData("unknown option '--cycels' for kill-nine", "kill-nine", "--cycels", "3")]
    [InlineData("unknown option '--duration' for kill-nine", "kill-nine", "--duration", "10m")]
    [InlineData("unknown option '--cycles' for mixed-load", "mixed-load", "--cycles", "3")]
    [InlineData("unknown option 'stray' for kill-nine", "kill-nine", "stray")]
    [InlineData("--cycles needs a value", "kill-nine", "--cycles")]
    [InlineData("--cycles is given twice", "kill-nine", "--cycles", "3", "--cycles", "4")]
    [InlineData("--cycles takes a whole number of at least 1, not 'ten'", "kill-nine", "--cycles", "ten")]
    [InlineData("--cycles takes a whole number of at least 1, not '0'", "kill-nine", "--cycles", "0")]
    [InlineData("--workers takes a whole number of at least 1, not '-2'", "mixed-load", "--workers", "-2")]
    [InlineData("--invoke-workers takes a whole number of at least 0, not '1.5'", "mixed-load", "--invoke-workers", "1.5")]
    [InlineData("--duration takes a duration such as 10m, 60s or 90 (seconds), not '10h'", "mixed-load", "--duration", "10h")]
    [InlineData("--interval takes a duration such as 10m, 60s or 90 (seconds), not '0s'", "mixed-load", "--interval", "0s")]
    [InlineData("unknown scenario 'kill-9'", "kill-9")]
    [InlineData("no scenario given")]
    public async Task A_command_line_it_cannot_run_as_written_is_refused_before_anything_runs(string expected, params string[] args)
    {
        Assert.Equal(expected, ReliabilityCommand.Parse(args, out ReliabilityRun? run));
        Assert.Null(run);

        // The same command line through the command: status 2 at once (--handshake first, so that it does not change
        // what comes last).
        string[] withMissing = args.Length == 0 ? [] : [args[0], "--handshake", Missing, .. args[1..]];
        int status = await ReliabilityCommand.RunAsync(withMissing).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, status);
    }

    [Fact]
    public void Each_scenario_takes_its_own_options_and_keeps_its_defaults_for_the_rest()
    {
        Assert.Null(ReliabilityCommand.Parse(["kill-nine"], out ReliabilityRun? defaults));
        Assert.Equal(new ReliabilityRun("kill-nine", null, Cycles: 100, Workers: 8, InvokeWorkers: 2, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60)), defaults);

        Assert.Null(ReliabilityCommand.Parse(["kill-nine", "--cycles", "3", "--workers", "2", "--handshake", "h.dll"], out ReliabilityRun? killNine));
        Assert.Equal(new ReliabilityRun("kill-nine", "h.dll", Cycles: 3, Workers: 2, InvokeWorkers: 2, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60)), killNine);

        Assert.Null(ReliabilityCommand.Parse(["mixed-load", "--duration", "1.5m", "--interval", "20", "--invoke-workers", "0"], out ReliabilityRun? mixed));
        Assert.Equal(new ReliabilityRun("mixed-load", null, Cycles: 100, Workers: 14, InvokeWorkers: 0, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(20)), mixed);
    }
}
