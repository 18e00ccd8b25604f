using HdrHistogram;

namespace Handshake.Experiment;

/// <summary>What one mode measured. Latencies are kept in histograms (microseconds), so memory does not grow with N.</summary>
internal sealed class ModeResult(BenchMode mode)
{
    public const long HighestMicroseconds = 120_000_000;

    public BenchMode Mode { get; } = mode;

    /// <summary>Null when the mode ran; else why it was skipped (missing Node.js, a failed publish).</summary>
    public string? SkippedBecause { get; set; }

    /// <summary>True when Ctrl-C stopped the mode early: the numbers cover what was measured until then.</summary>
    public bool Cancelled { get; set; }

    public long Requested { get; set; }

    public long Completed { get; set; }

    public long Errors { get; set; }

    public Dictionary<string, long> ErrorTypes { get; } = new(StringComparer.Ordinal);

    public long Successful => Completed - Errors;

    /// <summary>Cold starts: REPORT lines with an Init Duration.</summary>
    public long EnvironmentsStarted { get; set; }

    /// <summary>Environments that opened at least one store connection (from the connection accounting).</summary>
    public int EnvironmentsConnected { get; set; }

    public long ConnectionsOpened { get; set; }

    public long TlsConnections { get; set; }

    public long StoreRequests { get; set; }

    /// <summary>Sum of the REPORT lines' New Connections, over the REPORT lines read.</summary>
    public long ReportedNewConnections { get; set; }

    public long ReportLines { get; set; }

    /// <summary>Log events the bench could not read because the host's log ring had moved past them (very long runs).</summary>
    public long LogEventsMissed { get; set; }

    public LongConcurrentHistogram Latency { get; } = new(1, HighestMicroseconds, 3);

    /// <summary>The store's PutItem durations as the server measured them; null with --endpoint (another process).</summary>
    public LongConcurrentHistogram? StoreLatency { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Time spent in --freeze-gap pauses, excluded from throughput.</summary>
    public TimeSpan Paused { get; set; }

    /// <summary>
    /// Invocations in flight when Ctrl-C stopped the load: the bench stopped waiting for their answers, but the host
    /// still runs them, so their records may or may not be in the table.
    /// </summary>
    public long Abandoned { get; set; }

    public long ItemsInTable { get; set; } = -1;

    /// <summary>Every successful invocation's record is in the table, and nothing else but those abandoned in flight.</summary>
    public bool AllRecordsLanded => ItemsInTable >= Successful && ItemsInTable <= Successful + Abandoned;

    /// <summary>The function's store connections (cumulative, as Store conns), sampled during the run: (seconds since start, count).</summary>
    public List<(double Seconds, long Opened)> Timeline { get; } = [];

    /// <summary>The most sockets in TIME_WAIT on the store's port seen during the run (-1: not measured).</summary>
    public long PeakTimeWait { get; set; } = -1;

    /// <summary>TIME_WAIT sockets on the store's port when the mode started (left by the modes before it).</summary>
    public long TimeWaitAtStart { get; set; } = -1;

    /// <summary>The in-process store endpoint this mode's functions used (null with --endpoint: the run's).</summary>
    public string? StoreEndpoint { get; set; }

    /// <summary>Requests written on connections the store had closed, answered with a reset by the emulated link (-1: no link).</summary>
    public long Resets { get; set; } = -1;

    public double Throughput => Completed == 0 ? 0 : Completed / Math.Max(0.001, (Elapsed - Paused).TotalSeconds);

    public double ConnectionsPerThousand => Completed == 0 ? 0 : ConnectionsOpened * 1000.0 / Completed;

    /// <summary>Connections beyond one per environment: the handshakes reuse did not save.</summary>
    public long ExtraHandshakes => Math.Max(0, ConnectionsOpened - EnvironmentsStarted);

    public double LatencyMs(double percentile) => Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxLatencyMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;

    public double? StoreLatencyMs(double percentile) =>
        StoreLatency is { TotalCount: > 0 } h ? h.GetValueAtPercentile(percentile) / 1000.0 : null;
}
