using System.Globalization;
using System.Net;
using System.Text;

namespace Handshake.Experiment;

/// <summary>
/// --html: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with the table and three charts:
/// connections per 1,000 invocations, the latency distribution per mode, and connections opened over time.
/// </summary>
internal static class BenchHtml
{
    private static readonly string[] Colors = ["#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"];
    private static readonly double[] Percentiles = [0, 50, 75, 90, 95, 99, 99.9, 99.99, 100];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private const int Width = 760;
    private const int Height = 320;
    private const int Left = 70;
    private const int Right = 170;
    private const int Top = 20;
    private const int Bottom = 45;

    public static Task WriteAsync(BenchRun run, string path) => File.WriteAllTextAsync(path, Render(run));

    public static string Render(BenchRun run)
    {
        List<ModeResult> ran = [.. run.Results.Where(r => r.SkippedBecause is null && r.Completed > 0)];
        StringBuilder h = new();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Handshake bench</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;font-size:14px}")
            .Append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}")
            .Append(".note{background:#fff6d5;padding:6px 10px;border-left:4px solid #e0b000}.muted{color:#666;font-size:13px}svg{font-size:12px}")
            .Append("</style></head><body>");
        h.Append("<h1>Handshake bench: the seed's put-record function</h1>");
        h.Append(Invariant, $"<p>{run.Options.Invocations:N0} invocations per mode at concurrency {run.Options.Concurrency}; started {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC{(run.Cancelled ? $"; <b>stopped by {StopSignal.Name}, numbers are partial</b>" : "")}.</p>");
        h.Append("<p class=\"muted\">").Append(Encode($"Invocations through {run.InvokePath}. Functions' store endpoint: {run.StoreEndpoint}. Machine: {run.Machine}." + (run.NodeVersion is null ? "" : $" Node.js {run.NodeVersion}."))).Append("</p>");
        foreach (string note in run.Notes)
        {
            h.Append("<p class=\"note\">").Append(Encode(note)).Append("</p>");
        }

        AppendTable(h, run);
        h.Append("<h2>Store connections per 1,000 invocations</h2>");
        h.Append(BarChart(ran));
        h.Append("<h2>Invocation latency distribution</h2><p class=\"muted\">Latency (ms, log scale) at each percentile; the right end is the maximum.</p>");
        h.Append(LatencyChart(ran));
        h.Append("<h2>Store connections opened over time</h2><p class=\"muted\">Cumulative TCP connections the store accepted from each mode's function environments (the Store conns column) since the mode started.</p>");
        h.Append(TimelineChart(ran));
        h.Append("</body></html>");
        return h.ToString();
    }

    private static void AppendTable(StringBuilder h, BenchRun run)
    {
        h.Append("<table><tr><th>Mode</th><th>Invocations</th><th>Errors</th><th>Environments</th><th>Store connections</th><th>Per 1k inv</th>")
            .Append("<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>Store p50/p99 ms</th><th>Inv/s</th><th>Records landed</th>")
            .Append("<th>Peak TIME_WAIT</th>").Append(run.Options.FreezeGap is null ? "" : "<th>Resets</th><th>Extra handshakes</th>").Append("</tr>");
        foreach (ModeResult r in run.Results)
        {
            h.Append("<tr><td title=\"").Append(Encode(r.Mode.Description)).Append("\">").Append(Encode(r.Mode.Name)).Append(r.Cancelled ? " (partial)" : "").Append("</td>");
            if (r.SkippedBecause is { } reason)
            {
                h.Append("<td colspan=\"13\" style=\"text-align:left\">skipped: ").Append(Encode(reason)).Append("</td></tr>");
                continue;
            }

            string store = r.StoreLatencyMs(50) is { } p50 ? $"{p50:F2} / {r.StoreLatencyMs(99):F2}" : "n/a";
            string landed = r.ItemsInTable < 0 ? "unknown" : r.AllRecordsLanded ? $"yes ({r.ItemsInTable:N0})" : $"NO: {r.ItemsInTable:N0} of {r.Successful:N0}";
            h.Append(Invariant, $"<td>{r.Completed:N0}</td><td>{r.Errors:N0}</td><td>{r.EnvironmentsStarted:N0}</td><td>{r.ConnectionsOpened:N0}</td><td>{r.ConnectionsPerThousand:N1}</td>")
                .Append(Invariant, $"<td>{r.LatencyMs(50):F2}</td><td>{r.LatencyMs(90):F2}</td><td>{r.LatencyMs(99):F2}</td><td>{r.MaxLatencyMs:F1}</td><td>{store}</td><td>{r.Throughput:N0}</td><td>{Encode(landed)}</td>")
                .Append(Invariant, $"<td>{(r.PeakTimeWait < 0 ? "n/a" : r.PeakTimeWait.ToString("N0", Invariant))}</td>");
            if (run.Options.FreezeGap is not null)
            {
                h.Append(Invariant, $"<td>{(r.Resets < 0 ? "n/a" : r.Resets.ToString("N0", Invariant))}</td><td>{r.ExtraHandshakes:N0}</td>");
            }

            h.Append("</tr>");
            if (r.ErrorTypes.Count > 0)
            {
                h.Append("<tr><td></td><td colspan=\"13\" style=\"text-align:left\" class=\"muted\">errors: ")
                    .Append(Encode(string.Join("; ", r.ErrorTypes.OrderByDescending(e => e.Value).Select(e => $"{e.Key} × {e.Value:N0}")))).Append("</td></tr>");
            }
        }

        h.Append("</table>");
    }

    private static string BarChart(List<ModeResult> results)
    {
        int rowHeight = 28;
        int height = Top + (results.Count * rowHeight) + 10;
        double max = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.ConnectionsPerThousand));
        StringBuilder s = Svg(height);
        for (int i = 0; i < results.Count; i++)
        {
            ModeResult r = results[i];
            double width = (Width - 260) * r.ConnectionsPerThousand / max;
            int y = Top + (i * rowHeight);
            s.Append(Invariant, $"<text x=\"{120}\" y=\"{y + 17}\" text-anchor=\"end\">{Encode(r.Mode.Name)}</text>")
                .Append(Invariant, $"<rect x=\"130\" y=\"{y + 4}\" width=\"{Math.Max(1, width):F1}\" height=\"18\" fill=\"{Colors[i % Colors.Length]}\"/>")
                .Append(Invariant, $"<text x=\"{136 + width:F1}\" y=\"{y + 17}\">{r.ConnectionsPerThousand:N1}</text>");
        }

        return s.Append("</svg>").ToString();
    }

    private static string LatencyChart(List<ModeResult> results)
    {
        double maxMs = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.MaxLatencyMs));
        double minMs = Math.Max(0.01, results.Count == 0 ? 0.1 : results.Min(r => Math.Max(0.01, r.LatencyMs(0))));
        double logMin = Math.Floor(Math.Log10(minMs));
        double logMax = Math.Ceiling(Math.Log10(maxMs));
        if (logMax <= logMin)
        {
            logMax = logMin + 1;
        }

        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double X(double percentile) => Left + (plotWidth * Spread(percentile) / Spread(100));
        double Y(double ms) => Top + plotHeight - (plotHeight * (Math.Log10(Math.Max(ms, Math.Pow(10, logMin))) - logMin) / (logMax - logMin));
        StringBuilder s = Svg(Height);
        Axes(s);
        foreach (double p in Percentiles)
        {
            s.Append(Invariant, $"<text x=\"{X(p):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{(p == 100 ? "max" : p.ToString(Invariant))}</text>");
        }

        s.Append(Invariant, $"<text x=\"{Left + (plotWidth / 2):F0}\" y=\"{Height - 8}\" text-anchor=\"middle\">percentile</text>");
        for (double decade = logMin; decade <= logMax; decade++)
        {
            double ms = Math.Pow(10, decade);
            s.Append(Invariant, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(ms):F1}\" y2=\"{Y(ms):F1}\" stroke=\"#eee\"/>")
                .Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{Y(ms) + 4:F1}\" text-anchor=\"end\">{ms.ToString("0.##", Invariant)} ms</text>");
        }

        for (int i = 0; i < results.Count; i++)
        {
            ModeResult r = results[i];
            IEnumerable<string> points = Percentiles.Select(p => $"{X(p):F1},{Y(p == 100 ? r.MaxLatencyMs : r.LatencyMs(p)):F1}");
            Series(s, i, r.Mode.Name, string.Join(' ', points));
        }

        return s.Append("</svg>").ToString();
    }

    private static string TimelineChart(List<ModeResult> results)
    {
        double maxSeconds = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.Timeline.Count == 0 ? 0 : r.Timeline.Max(t => t.Seconds)));
        long maxOpened = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.Timeline.Count == 0 ? 0 : r.Timeline.Max(t => t.Opened)));
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double X(double seconds) => Left + (plotWidth * seconds / maxSeconds);
        double Y(long opened) => Top + plotHeight - (plotHeight * opened / maxOpened);
        StringBuilder s = Svg(Height);
        Axes(s);
        for (int tick = 0; tick <= 4; tick++)
        {
            double seconds = maxSeconds * tick / 4;
            long opened = maxOpened * tick / 4;
            s.Append(Invariant, $"<text x=\"{X(seconds):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{seconds:0.#} s</text>")
                .Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{Y(opened) + 4:F1}\" text-anchor=\"end\">{opened:N0}</text>");
        }

        s.Append(Invariant, $"<text x=\"{Left + (plotWidth / 2):F0}\" y=\"{Height - 8}\" text-anchor=\"middle\">seconds since the mode started</text>");
        for (int i = 0; i < results.Count; i++)
        {
            ModeResult r = results[i];
            IEnumerable<string> points = new[] { (0.0, 0L) }.Concat(r.Timeline).Select(t => $"{X(t.Item1):F1},{Y(t.Item2):F1}");
            Series(s, i, $"{r.Mode.Name} ({r.ConnectionsOpened:N0})", string.Join(' ', points));
        }

        return s.Append("</svg>").ToString();
    }

    // Percentiles spread as in HdrHistogram plots: 90, 99, 99.9 ... evenly apart.
    private static double Spread(double percentile) => Math.Log10(1 / (1 - (Math.Min(percentile, 99.999) / 100)));

    private static StringBuilder Svg(int height) =>
        new StringBuilder().Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\">");

    private static void Axes(StringBuilder s) =>
        s.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/>")
            .Append(Invariant, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/>");

    private static void Series(StringBuilder s, int index, string label, string points)
    {
        string color = Colors[index % Colors.Length];
        s.Append(Invariant, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points}\"/>")
            .Append(Invariant, $"<rect x=\"{Width - Right + 12}\" y=\"{Top + (index * 20)}\" width=\"12\" height=\"12\" fill=\"{color}\"/>")
            .Append(Invariant, $"<text x=\"{Width - Right + 30}\" y=\"{Top + (index * 20) + 11}\">{Encode(label)}</text>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
