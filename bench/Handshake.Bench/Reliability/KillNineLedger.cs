using System.Collections.Concurrent;

namespace Handshake.Bench.Reliability;

/// <summary>
/// What the clients know for certain: every write the server acknowledged, and for each counter how many increments
/// were acknowledged and how many were sent at all. After a crash a counter must lie between the two.
/// </summary>
public sealed class KillNineLedger
{
    public const int Counters = 4;

    public ConcurrentDictionary<string, string> Puts { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Transactions { get; } = new(StringComparer.Ordinal);

    public long[] AcknowledgedIncrements { get; } = new long[Counters];

    public long[] SentIncrements { get; } = new long[Counters];

    public long AcknowledgedWrites =>
        Puts.Count + Transactions.Count + Interlocked.Read(ref AcknowledgedIncrements[0]) + Interlocked.Read(ref AcknowledgedIncrements[1])
        + Interlocked.Read(ref AcknowledgedIncrements[2]) + Interlocked.Read(ref AcknowledgedIncrements[3]);
}
