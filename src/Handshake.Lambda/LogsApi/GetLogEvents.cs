using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// GetLogEvents: one stream's events, oldest first within a page, with CloudWatch's two tokens. A token is a position
/// in the function's log (the sequence number the ring gives each event): <c>f/N/s</c> reads the stream's events at or
/// after N, <c>b/N/s</c> the ones before N. Without a token the page is the stream's newest events (or its oldest, with
/// startFromHead). When a page is empty its token comes back unchanged: that is how the SDKs' and the CLI's loops
/// know they have read everything (they stop when nextForwardToken repeats).
/// </summary>
internal static class GetLogEvents
{
    public static async Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? streamName = request.Length("logStreamName", request.String("logStreamName"), 1, 512);
        request.Required("logStreamName", streamName);
        long? startTime = request.Long("startTime");
        long? endTime = request.Long("endTime");
        string? nextToken = request.Length("nextToken", request.String("nextToken"), 1, int.MaxValue);
        int limit = request.Limit("limit", 1, 10_000, 10_000);
        bool startFromHead = request.Boolean("startFromHead") ?? false;
        (string groupName, string function, FunctionLog log) = LogGroups.Resolve(host, request);
        (bool forward, long position)? token = nextToken is null ? null : ParseToken(nextToken);

        await LogGroups.SettleAsync(host, function, cancellationToken).ConfigureAwait(false);
        (List<LogEvent> all, long nextSequence) = log.Snapshot();
        List<LogEvent> stream = [];
        bool exists = false;
        foreach (LogEvent e in all)
        {
            if (e.LogStreamName == streamName)
            {
                exists = true;
                if (LogGroups.InWindow(e, startTime, endTime))
                {
                    stream.Add(e);
                }
            }
        }

        // A stream CreateLogStream made exists with no event (its page is empty, its tokens the log's position).
        if (!exists && !host.CreatedLogStreams.Contains(groupName, streamName!))
        {
            throw LogsException.LogStreamNotFound();
        }

        // Which way this page reads, and from where: forward takes the first events after the position, backward the last before it.
        bool readsForward = token?.forward ?? startFromHead;
        long position = token?.position ?? (startFromHead ? 0 : nextSequence);
        List<LogEvent> page = readsForward ? First(stream, position, limit) : Last(stream, position, limit);

        writer.WriteStartObject();
        writer.WriteStartArray("events");
        foreach (LogEvent e in page)
        {
            long timestamp = e.Timestamp.ToUnixTimeMilliseconds();
            writer.WriteStartObject();
            writer.WriteNumber("timestamp", timestamp);
            writer.WriteString("message", e.Message);
            writer.WriteNumber("ingestionTime", timestamp);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        // An empty page gives back the position it read from: a forward token that has nothing newer repeats.
        long forwardFrom = page.Count > 0 ? page[^1].Sequence + 1 : token is null && readsForward ? nextSequence : position;
        long backwardFrom = page.Count > 0 ? page[0].Sequence : position;
        writer.WriteString("nextForwardToken", Token('f', forwardFrom));
        writer.WriteString("nextBackwardToken", Token('b', backwardFrom));
        writer.WriteEndObject();
    }

    /// <summary>The first events at or after <paramref name="from"/>, at most <paramref name="limit"/> and 1 MB.</summary>
    private static List<LogEvent> First(List<LogEvent> stream, long from, int limit)
    {
        List<LogEvent> page = [];
        int bytes = 0;
        foreach (LogEvent e in stream)
        {
            if (e.Sequence < from)
            {
                continue;
            }

            bytes += LogGroups.EventBytes(e);
            if (page.Count == limit || (bytes > LogGroups.MaxPageBytes && page.Count > 0))
            {
                break;
            }

            page.Add(e);
        }

        return page;
    }

    /// <summary>The last events before <paramref name="before"/>, at most <paramref name="limit"/> and 1 MB, oldest first.</summary>
    private static List<LogEvent> Last(List<LogEvent> stream, long before, int limit)
    {
        int end = stream.Count;
        while (end > 0 && stream[end - 1].Sequence >= before)
        {
            end--;
        }

        int start = end;
        int bytes = 0;
        while (start > 0 && end - start < limit)
        {
            bytes += LogGroups.EventBytes(stream[start - 1]);
            if (bytes > LogGroups.MaxPageBytes && start < end)
            {
                break;
            }

            start--;
        }

        return stream.GetRange(start, end - start);
    }

    // CloudWatch's tokens look like f/<56 digits>/s; clients treat them as opaque, so the digits here are a position.
    private static string Token(char direction, long position) =>
        direction + "/" + position.ToString("D56", CultureInfo.InvariantCulture) + "/s";

    private static (bool Forward, long Position) ParseToken(string token)
    {
        if (token.Length > 4 && token[0] is 'f' or 'b' && token[1] == '/' && token.EndsWith("/s", StringComparison.Ordinal)
            && long.TryParse(token.AsSpan(2, token.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out long position))
        {
            return (token[0] == 'f', position);
        }

        throw LogsException.InvalidNextToken();
    }
}
