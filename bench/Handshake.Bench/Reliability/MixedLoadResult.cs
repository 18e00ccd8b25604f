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
/// The whole run, and the verdict on memory. The rule, stated once: the server's anonymous RSS (heap, stacks, SQLite's
/// page cache; what a leak grows) at the end of the last interval may exceed the same at the end of the second interval
/// by at most <see cref="MaxMemoryGrowth"/>. The second interval is the baseline because the first holds the start-up,
/// the JIT and the function's cold start. The file-backed part is left out of the rule and reported: it is the store's
/// database file mapped by its readers (mmap), which grows with the data and which the kernel can take back.
/// </summary>
public sealed record MixedLoadResult(IReadOnlyList<MixedLoadInterval> Intervals, IReadOnlyList<string> FirstErrors)
{
    public const double MaxMemoryGrowth = 0.10;

    public long Errors => Intervals.Sum(i => i.Errors);

    public long Requests => Intervals.Sum(i => i.Requests);

    public long BaselineResidentBytes => Intervals.Count switch
    {
        0 => 0,
        1 or 2 => Intervals[0].Memory.Anonymous,
        _ => Intervals[1].Memory.Anonymous,
    };

    public long FinalResidentBytes => Intervals.Count == 0 ? 0 : Intervals[^1].Memory.Anonymous;

    /// <summary>Final anonymous RSS over the baseline, minus one (0.05 is 5 % more).</summary>
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
        return $"requests: {Requests.ToString("N0", c)}, errors: {Errors}; server anonymous RSS {(BaselineResidentBytes / 1048576.0).ToString("F0", c)} MB after interval "
            + $"{(Intervals.Count >= 3 ? 2 : 1)}, {(FinalResidentBytes / 1048576.0).ToString("F0", c)} MB after the last ({growth} %): "
            + (MemoryStable ? "stable" : "NOT stable") + $" (rule: at most +{(MaxMemoryGrowth * 100).ToString("F0", c)} %)";
    }
}
