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

    /// <summary>
    /// Reads until <paramref name="stop"/>, which ends the pause between pages but not a page in flight: HttpClient
    /// gives up the connection of a request cancelled before its answer, and the drain after the load would then have
    /// to open another. A run without reuse may have used up every ephemeral port by then (the port-exhaustion test does
    /// so on purpose), and the counts would be lost. A page waits at most 1 s for its first event.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await ReadPageAsync(CancellationToken.None).ConfigureAwait(false) < 1000)
                {
                    await Task.Delay(Pause, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                // A failed page (HttpClient's 30 s timeout, a refused connection): try again after the pause, not at once.
                try
                {
                    await Task.Delay(Pause, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
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
