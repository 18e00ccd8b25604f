using System.Globalization;

namespace Handshake.Experiment;

/// <summary>
/// Follows the function's log while a mode runs and reads its REPORT lines: cold starts (lines with an Init Duration)
/// and the sum of `New Connections: N`, which must add up to the store's own count.
/// </summary>
internal sealed class ReportLogTail(BenchEndpoint endpoint, string functionName)
{
    private const string NewConnections = "New Connections: ";
    private long _next;

    public long ReportLines { get; private set; }

    public long ColdStarts { get; private set; }

    public long NewConnectionsTotal { get; private set; }

    public long Missed { get; private set; }

    /// <summary>
    /// Between short pages the tail pauses, so that it reads the log in batches rather than one long poll per line:
    /// the counts are only needed at the end, and a request per invocation cost the run a noticeable share of its CPU.
    /// The log keeps the last 10,000 events per function; at 2,000 invocations/s (three lines each) a 200 ms pause is
    /// 1,200 lines, and a line that still fell out would be counted in <see cref="Missed"/>.
    /// </summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads until cancelled, then once more to the end of what was written.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await ReadPageAsync(stop).ConfigureAwait(false) < 1000)
                {
                    await Task.Delay(Pause, stop).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Reads everything logged so far (after the load stopped).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await ReadPageAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    private async Task<int> ReadPageAsync(CancellationToken cancellationToken)
    {
        (List<(long Sequence, string Message)> events, long next) = await endpoint.LogsAsync(functionName, _next, cancellationToken).ConfigureAwait(false);
        foreach ((long sequence, string message) in events)
        {
            if (sequence > _next)
            {
                Missed += sequence - _next;
            }

            _next = sequence + 1;
            if (!message.StartsWith("REPORT ", StringComparison.Ordinal))
            {
                continue;
            }

            ReportLines++;
            if (message.Contains("Init Duration: ", StringComparison.Ordinal))
            {
                ColdStarts++;
            }

            int at = message.IndexOf(NewConnections, StringComparison.Ordinal);
            if (at >= 0)
            {
                ReadOnlySpan<char> rest = message.AsSpan(at + NewConnections.Length);
                int end = 0;
                while (end < rest.Length && char.IsAsciiDigit(rest[end]))
                {
                    end++;
                }

                if (long.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                {
                    NewConnectionsTotal += count;
                }
            }
        }

        _next = Math.Max(_next, next);
        return events.Count;
    }
}
