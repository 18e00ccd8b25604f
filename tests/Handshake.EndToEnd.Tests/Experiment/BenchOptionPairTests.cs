using System.CommandLine;
using Handshake.Commands;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// Options that only mean something beside another are refused without it, as README `experiment` says of `bench
/// --gaps` ("only with `--freeze-gap`, refused without it") and README `up` of `--tls-port` and `--credentials`: before,
/// `bench --gaps 3` without `--freeze-gap` ran the invocations in one burst and said nothing. Every case here fails
/// before any mode is prepared or run (the real executable, a few hundred milliseconds each).
/// </summary>
public sealed class BenchOptionPairTests
{
    private const string GapsRefused = "handshake: --gaps needs --freeze-gap (without it the invocations run in one burst, with no gap).";

    // With --endpoint and --tls the bench stops at the next check (the in-process store's options), which comes after
    // the one for --gaps: that message shows the --gaps check let the arguments through, and nothing runs.
    private const string EndpointRefused = "handshake: --tls, --link-rtt, --store-idle-timeout, --data-dir and --in-process-invoke need the in-process store";

    [Theory]
    [InlineData(GapsRefused, "bench", "--modes", "node-v3", "--invocations", "5", "--gaps", "2")]
    [InlineData(GapsRefused, "bench", "--gaps", "1")]
    [InlineData(EndpointRefused, "bench", "--freeze-gap", "1s", "--gaps", "2", "--endpoint", "http://127.0.0.1:1", "--tls")]
    [InlineData(EndpointRefused, "bench", "--gaps", "2", "--freeze-gap", "0s", "--endpoint", "http://127.0.0.1:1", "--tls")]
    [InlineData(EndpointRefused, "bench", "--freeze-gap", "1s", "--endpoint", "http://127.0.0.1:1", "--tls")]
    [InlineData(EndpointRefused, "bench", "--endpoint", "http://127.0.0.1:1", "--tls")]
    public async Task Gaps_is_taken_with_a_freeze_gap_and_refused_in_one_line_without_one(string expected, params string[] arguments)
    {
        (int exit, string stdout, string stderr) = await BenchCli.RunAsync(null, arguments);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_gaps_value_is_named_as_such_not_as_a_missing_freeze_gap()
    {
        (int exit, _, string stderr) = await BenchCli.RunAsync(null, "bench", "--gaps", "0");

        Assert.Equal(1, exit);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("handshake: --gaps must be a positive whole number, not '0'.", line);
    }

    [Fact]
    public void The_help_says_what_the_parser_holds_to()
    {
        Command up = Verbs.CreateRoot().Subcommands.Single(v => v.Name == "up");
        Command bench = Verbs.CreateRoot().Subcommands.Single(v => v.Name == "bench");

        // up --environment-idle-timeout: the help states the minimum the parser refuses below (as README `up` does).
        Assert.Contains("at least 1s", up.Options.Single(o => o.Name == "--environment-idle-timeout").Description, StringComparison.Ordinal);
        Assert.NotEmpty(up.Parse("--environment-idle-timeout 999ms").Errors);
        Assert.Empty(up.Parse("--environment-idle-timeout 1s").Errors);

        // up --data-dir holds the functions' logs too (lambda/logs.db), and bench --data-dir one directory per mode.
        Assert.Contains("logs", up.Options.Single(o => o.Name == "--data-dir").Description, StringComparison.Ordinal);
        Assert.Contains("DIR/MODE", bench.Options.Single(o => o.Name == "--data-dir").Description, StringComparison.Ordinal);
        Assert.Contains("only with --freeze-gap", bench.Options.Single(o => o.Name == "--gaps").Description, StringComparison.Ordinal);
    }
}
