using HdrHistogram;

namespace Handshake.Bench.Load;

/// <summary>What one bounded load run measured. Latencies are in microseconds, from the first byte sent to the last received.</summary>
public sealed record LoadResult(
    int Connections,
    long Requests,
    long Errors,
    long Reconnects,
    TimeSpan Elapsed,
    HistogramBase Latency,
    string? FirstError,
    TimeSpan ClientCpu)
{
    public double RequestsPerSecond => Elapsed.TotalSeconds > 0 ? Requests / Elapsed.TotalSeconds : 0;

    /// <summary>CPU time the load generator's process spent per request: what the client takes from the shared cores.</summary>
    public double ClientCpuMicrosecondsPerRequest => Requests == 0 ? double.NaN : ClientCpu.TotalMicroseconds / Requests;

    public double PercentileMilliseconds(double percentile) =>
        Requests == 0 ? double.NaN : Latency.GetValueAtPercentile(percentile) / 1000.0;
}
