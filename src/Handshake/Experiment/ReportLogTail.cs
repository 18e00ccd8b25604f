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

    /// <summary>Reads until cancelled, then once more to the end of what was written.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadPageAsync(stop).ConfigureAwait(false);
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
