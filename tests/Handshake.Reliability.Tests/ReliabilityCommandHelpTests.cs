using Handshake.Bench.Reliability;

namespace Handshake.Reliability.Tests;

/// <summary>
/// The README points at `dotnet run --project bench/Handshake.Bench -- reliability kill-nine --cycles 100` and
/// `... reliability mixed-load --duration 10m`; a reader who first asks for `--help` must get the usage, not a
/// 100-cycle kill -9 run or a 10-minute load (which is what `--help` started before: the command's own parser took it
/// as an option name and ran the scenario with its defaults).
/// </summary>
public sealed class ReliabilityCommandHelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Every_help_spelling_is_recognised_wherever_it_stands(string help)
    {
        Assert.True(ReliabilityCommand.HelpRequested([help]));
        Assert.True(ReliabilityCommand.HelpRequested(["kill-nine", help]));
        Assert.True(ReliabilityCommand.HelpRequested(["mixed-load", "--duration", "10m", help]));
        Assert.False(ReliabilityCommand.HelpRequested(["kill-nine", "--cycles", "100"]));
    }

    [Theory]
    [InlineData("kill-nine")]
    [InlineData("mixed-load")]
    public async Task Help_after_a_scenario_answers_zero_at_once_and_runs_nothing(string scenario)
    {
        // A --handshake that does not exist: should --help ever run the scenario again, it fails at once instead of
        // starting servers and load from the test.
        string missing = Path.Combine(Path.GetTempPath(), "handshake-help-test-" + Guid.NewGuid().ToString("N"), "handshake");
        int status = await ReliabilityCommand.RunAsync([scenario, "--handshake", missing, "--help"])
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, status);
    }

    [Fact]
    public void The_usage_names_every_option_the_README_runs_it_with()
    {
        foreach (string option in new[] { "kill-nine", "--cycles", "mixed-load", "--duration", "--interval", "--handshake" })
        {
            Assert.Contains(option, ReliabilityCommand.Usage, StringComparison.Ordinal);
        }
    }
}
