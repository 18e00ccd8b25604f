using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// A log group's retention (PutRetentionPolicy's <c>retentionInDays</c>) enforced on the events it holds: an event
/// whose timestamp is older than now (the host's clock) less the retention is not read again, and is deleted from the
/// group's log and from logs.db (<see cref="FunctionLog.Expire"/>). CloudWatch deletes expired events eventually (up to
/// 72 hours later); a test that reads a log relies on never getting one back, so here they go before they could be read.
///
/// When: before every read of a group's events (GetLogEvents, FilterLogEvents, DescribeLogStreams, DescribeLogGroups'
/// storedBytes, `handshake logs`), and on a coarse timer (<see cref="SweepInterval"/>, and once at start for what
/// expired while the host was stopped) so that a group nobody reads does not keep its expired events in memory and in
/// logs.db. Not when an event is appended: a function writing lines on every warm invocation must not pay a retention
/// lookup per line, and the reads see to it that an expired event is never returned. Each expiry costs a look at the
/// oldest event when nothing has expired (the time order keeps it at the front).
/// </summary>
internal static class LogRetention
{
    /// <summary>How often every group is swept: retentions are whole days, so a minute is prompt enough, and a sweep is a look per group.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private const long MillisecondsPerDay = 86_400_000L;

    /// <summary>
    /// The epoch milliseconds before which the group's events have expired at <paramref name="nowMs"/>; null when it has
    /// no retention (its events never expire). PutLogEvents rejects an event before it (<c>expiredLogEventEndIndex</c>).
    /// </summary>
    public static long? Cutoff(FunctionHost host, string groupName, long nowMs) =>
        host.LogGroupSettings.Get(groupName)?.RetentionInDays is int days ? nowMs - (days * MillisecondsPerDay) : null;

    /// <summary>Drops the group's expired events (none without a retention) before they are read.</summary>
    public static void Expire(FunctionHost host, string groupName, FunctionLog log)
    {
        if (Cutoff(host, groupName, host.Options.Clock.GetUtcNow().ToUnixTimeMilliseconds()) is long cutoff)
        {
            log.Expire(DateTimeOffset.FromUnixTimeMilliseconds(cutoff));
        }
    }

    /// <summary>The sweep: every log in the store, by the retention of the group it is (<see cref="LogGroups.GroupOfKey"/>).</summary>
    public static void ExpireAll(FunctionHost host)
    {
        foreach ((string key, FunctionLog log) in host.Logs.All())
        {
            Expire(host, LogGroups.GroupOfKey(key), log);
        }
    }
}
