using Handshake.Experiment;
using Spectre.Console;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The end-of-run table and the lines under it for a mode that did not run (the demo skips the NativeAOT mode when its
/// publish takes too long): the reason is a sentence, so it goes under the table, where it cannot stretch the
/// Invocations column of every row.
/// </summary>
public sealed class BenchTableTests
{
    private const string Reason = "dotnet publish took longer than 90 s and was stopped (run `handshake bench --modes dotnet-aot` once)";

    [Fact]
    public void A_skipped_mode_says_skipped_in_the_table_and_why_under_it()
    {
        BenchMode aot = BenchMode.All.Single(m => m.Name == "dotnet-aot");
        BenchRun run = new(new BenchOptions { Modes = [aot] });
        run.Results.Add(new ModeResult(aot) { SkippedBecause = Reason });

        string table = Write(console => console.Write(BenchConsole.Render(run)));
        string details = Write(console => BenchConsole.WriteDetails(run, console));

        string row = Assert.Single(table.Split('\n'), line => line.Contains("dotnet-aot", StringComparison.Ordinal));
        Assert.Contains("skipped", row, StringComparison.Ordinal);
        Assert.DoesNotContain("publish", table, StringComparison.Ordinal);
        Assert.Contains($"dotnet-aot: skipped: {Reason}", details.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    private static string Write(Action<IAnsiConsole> write)
    {
        using StringWriter text = new();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 400; // wide enough that nothing wraps
        write(console);
        return text.ToString();
    }
}
