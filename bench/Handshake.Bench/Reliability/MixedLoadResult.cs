using System.Globalization;
using System.Text;

namespace Handshake.Bench.Reliability;

/// <summary>One kind of request within one interval: how many, how fast, its p99, how many failed.</summary>
public sealed record OperationFigures(string Operation, long Requests, double PerSecond, double P99Milliseconds, long Errors);

/// <summary>
/// One interval of the mixed load: each operation's figures, and at its end the server's resident memory and the size
/// of the store's files on disk (the database and its WAL).
/// </summary>
public sealed record MixedLoadInterval(int Index, double Seconds, IReadOnlyList<OperationFigures> Operations, ProcessMemory Memory, long DataBytes)
{
    public long Requests => Operations.Sum(o => o.Requests);

    public long Errors => Operations.Sum(o => o.Errors);

    public double PerSecond => Seconds <= 0 ? 0 : Requests / Seconds;
}

/// <summary>
/// The whole run, and the verdict on memory. The rule, stated once: a leak grows without bound, a cache grows to its
/// cap. So the peak of the server's anonymous RSS (heap, stacks, SQLite's page caches; what a leak grows) over the
/// second half of the intervals may exceed its peak over the first half by at most <see cref="MaxMemoryGrowth"/>.
/// The first interval is left out of the first half when there are three or more: it holds the start-up, the JIT and
/// the function's cold start. (An earlier rule compared the last interval with the second; once the store's WAL was
/// kept bounded, the data reached the database file and SQLite's page caches, capped at 16 MB for the writer and 2 MB
/// per reader, filled over minutes 2 to 5, which that rule took for growth.) The file-backed part is left out of the
/// rule and reported: it is the store's database file mapped by its readers (mmap), which grows with the data and
/// which the kernel can take back.
/// </summary>
public sealed record MixedLoadResult(IReadOnlyList<MixedLoadInterval> Intervals, IReadOnlyList<string> FirstErrors)
{
    public const double MaxMemoryGrowth = 0.10;

    public long Errors => Intervals.Sum(i => i.Errors);

    public long Requests => Intervals.Sum(i => i.Requests);

    /// <summary>The last interval of the first half (1-based); the second half is the intervals after it.</summary>
    private int FirstHalfEnd => (Intervals.Count + 1) / 2;

    /// <summary>The anonymous RSS peak of the first half (from interval 2 when there are three or more).</summary>
    public long BaselineResidentBytes => Intervals.Count switch
    {
        0 => 0,
        1 or 2 => Intervals[0].Memory.Anonymous,
        _ => PeakAnonymous(1, FirstHalfEnd),
    };

    /// <summary>The anonymous RSS peak of the second half.</summary>
    public long FinalResidentBytes => Intervals.Count switch
    {
        0 => 0,
        1 => Intervals[0].Memory.Anonymous,
        _ => PeakAnonymous(FirstHalfEnd, Intervals.Count),
    };

    // Peak over the intervals at 0-based indexes [from, to).
    private long PeakAnonymous(int from, int to)
    {
        long peak = 0;
        for (int i = from; i < to; i++) peak = Math.Max(peak, Intervals[i].Memory.Anonymous);
        return peak;
    }

    /// <summary>The second half's peak over the first half's, minus one (0.05 is 5 % more).</summary>
    public double MemoryGrowth => BaselineResidentBytes == 0 ? double.NaN : (double)FinalResidentBytes / BaselineResidentBytes - 1;

    public bool MemoryStable => BaselineResidentBytes > 0 && FinalResidentBytes <= BaselineResidentBytes * (1 + MaxMemoryGrowth);

    public static string TableHeader(IReadOnlyList<string> operations)
    {
        StringBuilder header = new("| interval | all req/s |");
        StringBuilder rule = new("|---:|---:|");
        foreach (string operation in operations)
        {
            header.Append(CultureInfo.InvariantCulture, $" {operation} req/s · p99 ms |");
            rule.Append("---:|");
        }

        header.Append(" server RSS MB (anon + file) | store files MB | errors |");
        rule.Append("---:|---:|---:|");
        return header + "\n" + rule;
    }

    public static string TableRow(MixedLoadInterval interval)
    {
        StringBuilder row = new();
        row.Append(CultureInfo.InvariantCulture, $"| {interval.Index} | {interval.PerSecond:N0} |");
        foreach (OperationFigures figures in interval.Operations)
        {
            row.Append(CultureInfo.InvariantCulture, $" {figures.PerSecond:N0} · {figures.P99Milliseconds:F1} |");
        }

        ProcessMemory memory = interval.Memory;
        row.Append(CultureInfo.InvariantCulture,
            $" {memory.Resident / 1048576.0:F0} ({memory.Anonymous / 1048576.0:F0} + {memory.File / 1048576.0:F0}) | {interval.DataBytes / 1048576.0:F0} | {interval.Errors} |");
        return row.ToString();
    }

    public string Summary()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string growth = (MemoryGrowth * 100).ToString("+0.0;-0.0", c);
        int firstHalfEnd = FirstHalfEnd;
        string firstHalf = Intervals.Count >= 3 ? $"intervals 2-{firstHalfEnd}" : "interval 1";
        string secondHalf = Intervals.Count >= 2 ? $"intervals {firstHalfEnd + 1}-{Intervals.Count}" : "interval 1";
        return $"requests: {Requests.ToString("N0", c)}, errors: {Errors}; server anonymous RSS peak {(BaselineResidentBytes / 1048576.0).ToString("F0", c)} MB in {firstHalf}, "
            + $"{(FinalResidentBytes / 1048576.0).ToString("F0", c)} MB in {secondHalf} ({growth} %): "
            + (MemoryStable ? "stable" : "NOT stable") + $" (rule: the second half's peak at most +{(MaxMemoryGrowth * 100).ToString("F0", c)} % over the first's)";
    }
}
