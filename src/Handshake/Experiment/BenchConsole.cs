using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Handshake.Experiment;

/// <summary>The bench's console: a live progress bar with throughput per mode, one line per finished mode, the table.</summary>
internal sealed class BenchConsole
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan ProgressLineInterval = TimeSpan.FromSeconds(5);

    public BenchConsole()
    {
        // Redirected output has no terminal width; keep rows whole rather than wrapped at 80 columns.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200;
        }
    }

    private static bool Live => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));

    /// <summary>Shows the mode's progress until its load loop ends.</summary>
    public async Task TrackAsync(ModeResult result, LoadLoop loop, Task loopTask)
    {
        if (!Live)
        {
            Message($"{result.Mode.Name}: {result.Requested.ToString("N0", Invariant)} invocations at concurrency {loop.Concurrency}...");
            // Redirected (a CI log, a pipe): a progress line every few seconds instead of the bar.
            while (await Task.WhenAny(loopTask, Task.Delay(ProgressLineInterval)).ConfigureAwait(false) != loopTask)
            {
                string state = loop.Pausing ? ", frozen gap" : "";
                Message($"{result.Mode.Name}: {loop.Completed.ToString("N0", Invariant)} of {result.Requested.ToString("N0", Invariant)} invocations done, " +
                    $"{loop.Errors.ToString("N0", Invariant)} errors{state}");
            }

            await loopTask.ConfigureAwait(false);
            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(result.Mode.Name), maxValue: Math.Max(1, result.Requested));
                long started = Stopwatch.GetTimestamp();
                long lastCount = 0;
                long lastTime = started;
                double rate = 0;
                while (!loopTask.IsCompleted)
                {
                    await Task.WhenAny(loopTask, Task.Delay(250)).ConfigureAwait(false);
                    long count = loop.Completed;
                    long now = Stopwatch.GetTimestamp();
                    double seconds = Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
                    if (seconds >= 0.9)
                    {
                        rate = (count - lastCount) / seconds;
                        lastCount = count;
                        lastTime = now;
                    }

                    string state = loop.Pausing ? "frozen gap" : $"{rate.ToString("N0", Invariant)} inv/s";
                    string errors = loop.Errors > 0 ? $", [red]{loop.Errors.ToString("N0", Invariant)} errors[/]" : "";
                    task.Description = $"{Markup.Escape(result.Mode.Name)} {state}{errors}";
                    task.Value = count;
                }

                task.Value = loop.Completed;
                task.StopTask();
            }).ConfigureAwait(false);
    }

    public void ModeFinished(ModeResult r)
    {
        string landed = r.AllRecordsLanded ? "all records landed" + InFlight(r) : $"ITEMS IN TABLE {r.ItemsInTable} != {r.Successful} successful";
        Message($"{r.Mode.Name}: {r.Completed.ToString("N0", Invariant)} invocations, {r.Errors} errors, {r.EnvironmentsStarted} environments, " +
            $"{r.ConnectionsOpened.ToString("N0", Invariant)} store connections, p50 {r.LatencyMs(50):F2} ms, {r.Throughput:N0} inv/s, {landed}{(r.Cancelled ? $" (stopped by {StopSignal.Name})" : "")}");
    }

    /// <summary>After Ctrl-C: records of invocations abandoned in flight, which the host finished anyway.</summary>
    private static string InFlight(ModeResult r) =>
        r.Abandoned > 0 ? $" (+{(r.ItemsInTable - r.Successful).ToString("N0", Invariant)} of {r.Abandoned.ToString("N0", Invariant)} in flight at {StopSignal.Name})" : "";

    /// <summary>The end-of-run table, one row per mode.</summary>
    public static Table Render(BenchRun run)
    {
        Table table = new Table().Border(TableBorder.Rounded)
            .Title($"handshake bench: {run.Options.Invocations.ToString("N0", Invariant)} invocations per mode at concurrency {run.Options.Concurrency}, at most {run.Options.ReservedConcurrency} environments");
        table.AddColumns("Mode", "Invocations", "Errors", "Envs", "Store conns", "Conns/1k inv", "p50 ms", "p90 ms", "p99 ms", "max ms",
            "Store p50/p99 ms", "Inv/s", "Records");
        for (int column = 1; column < 12; column++)
        {
            table.Columns[column].RightAligned();
        }

        foreach (ModeResult r in run.Results)
        {
            if (r.SkippedBecause is { } reason)
            {
                // The reason goes under the table (WriteDetails): in a numeric column it would stretch every row.
                table.AddRow(Markup.Escape(r.Mode.Name), "[grey]skipped[/]", "", "", "", "", "", "", "", "", "", "", "");
                continue;
            }

            string store = r.StoreLatencyMs(50) is { } p50 ? $"{p50:F2} / {r.StoreLatencyMs(99):F2}" : "n/a";
            string records = r.ItemsInTable < 0 ? "[yellow]unknown[/]" : r.AllRecordsLanded ? "[green]all landed[/]" + Markup.Escape(InFlight(r)) : $"[red]{r.ItemsInTable:N0} of {r.Successful:N0}[/]";
            table.AddRow(
                Markup.Escape(r.Mode.Name) + (r.Cancelled ? " [yellow](partial)[/]" : ""),
                r.Completed.ToString("N0", Invariant),
                r.Errors == 0 ? "0" : $"[red]{r.Errors.ToString("N0", Invariant)}[/]",
                r.EnvironmentsStarted.ToString(Invariant),
                r.ConnectionsOpened.ToString("N0", Invariant),
                r.ConnectionsPerThousand.ToString(r.ConnectionsPerThousand < 1 ? "0.###" : "N1", Invariant),
                r.LatencyMs(50).ToString("F2", Invariant),
                r.LatencyMs(90).ToString("F2", Invariant),
                r.LatencyMs(99).ToString("F2", Invariant),
                r.MaxLatencyMs.ToString("F1", Invariant),
                store,
                r.Throughput.ToString("N0", Invariant),
                records);
        }

        return table;
    }

    /// <summary>Everything the table cannot hold: error types, TIME_WAIT, resets, REPORT-line cross-checks, notes.</summary>
    public static void WriteDetails(BenchRun run, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        console.MarkupLine($"[grey]Invocations through {Markup.Escape(run.InvokePath)}; functions' store endpoint {Markup.Escape(run.StoreEndpoint)}. {Markup.Escape(run.Machine)}.[/]");
        foreach (ModeResult r in run.Results)
        {
            if (r.SkippedBecause is { } reason)
            {
                console.MarkupLine($"[grey]{Markup.Escape(r.Mode.Name)}: skipped: {Markup.Escape(reason)}[/]");
                continue;
            }

            List<string> parts = [];
            if (r.ReportLines > 0)
            {
                string check = r.ReportedNewConnections == r.ConnectionsOpened ? "=" : "!=";
                parts.Add($"REPORT lines' New Connections sum {r.ReportedNewConnections:N0} {check} store's {r.ConnectionsOpened:N0}" +
                    (r.LogEventsMissed > 0 ? $" ({r.ReportLines:N0} REPORT lines read; {r.LogEventsMissed:N0} log events rotated out before they were read)" : ""));
            }

            if (r.PeakTimeWait >= 0)
            {
                parts.Add($"peak TIME_WAIT on the store port {r.PeakTimeWait:N0} ({r.TimeWaitAtStart:N0} at the mode's start)");
            }

            if (r.Resets >= 0 && run.Options.FreezeGap is not null)
            {
                parts.Add($"resets after the freeze gap {r.Resets:N0}, retried by the SDK {Math.Max(0, r.Resets - r.Errors):N0}, extra handshakes {r.ExtraHandshakes:N0}");
            }

            if (r.TlsConnections > 0)
            {
                parts.Add($"{r.TlsConnections:N0} TLS connections");
            }

            foreach ((string type, long count) in r.ErrorTypes.OrderByDescending(e => e.Value))
            {
                parts.Add($"error {type}: {count:N0}");
            }

            console.MarkupLine($"[grey]{Markup.Escape(r.Mode.Name)}: {Markup.Escape(string.Join("; ", parts))}[/]");
        }

        foreach (string note in run.Notes)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }
    }
}
