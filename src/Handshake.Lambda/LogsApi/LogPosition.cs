using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// A place in a log's read order (<see cref="FunctionLog.SnapshotByTime"/>): a timestamp in milliseconds and a sequence
/// number, compared in that order, as events are. Paging tokens hold one rather than an index, so that they stay right
/// when events arrive between pages: an event put later with an older timestamp sorts before the place (and is not
/// read by a forward page from it) but does not shift it, and one with a newer timestamp (or the same, being numbered
/// later) sorts after it.
/// </summary>
internal readonly record struct LogPosition(long Timestamp, long Sequence)
{
    /// <summary>Before every event.</summary>
    public static readonly LogPosition Head = new(long.MinValue, long.MinValue);

    /// <summary>After every event.</summary>
    public static readonly LogPosition End = new(long.MaxValue, long.MaxValue);

    public static LogPosition Of(LogEvent e) => new(e.Timestamp.ToUnixTimeMilliseconds(), e.Sequence);

    /// <summary>Whether <paramref name="e"/> sorts after this place.</summary>
    public bool IsBefore(LogEvent e) => TimeOrderedEvents.Compare(Timestamp, Sequence, e) < 0;

    /// <summary>Whether <paramref name="e"/> sorts before this place.</summary>
    public bool IsAfter(LogEvent e) => TimeOrderedEvents.Compare(Timestamp, Sequence, e) > 0;
}
