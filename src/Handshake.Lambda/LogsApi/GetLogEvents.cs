using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// GetLogEvents: one stream's events in timestamp order (ties in the order they were logged or put), oldest first
/// within a page, with CloudWatch's two tokens. A token is a place in the log's read order (<see cref="LogPosition"/>:
/// an event's timestamp and sequence number), not an index, so it stays right when events arrive between pages:
/// <c>f/.../s</c> reads the stream's events after the place, <c>b/.../s</c> the ones before it. After a page, the
/// forward token is its last event's place and the backward token its first's. Without a token the page is the
/// stream's newest events (or its oldest, with startFromHead). When a page is empty its token comes back unchanged:
/// that is how the SDKs' and the CLI's loops know they have read everything (they stop when nextForwardToken repeats).
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
        (string groupName, FunctionLog log) = LogGroups.Resolve(host, request);
        (bool forward, LogPosition position)? token = nextToken is null ? null : ParseToken(nextToken);

        await LogGroups.SettleAsync(host, groupName, cancellationToken).ConfigureAwait(false);
        LogRetention.Expire(host, groupName, log);
        (List<LogEvent> all, _) = log.SnapshotByTime();
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

        // A stream CreateLogStream made, or one whose events have all expired or been pushed out by the cap, exists with no
        // event (its page is empty,
        // its tokens the log's position).
        if (!exists && !LogGroups.StreamExists(host, groupName, log, streamName!))
        {
            throw LogsException.LogStreamNotFound();
        }

        // Which way this page reads, and from where: forward takes the first events after the place, backward the last before it.
        bool readsForward = token?.forward ?? startFromHead;
        LogPosition position = token?.position ?? (startFromHead ? LogPosition.Head : LogPosition.End);
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
        // An empty page gives back the place it read from (a forward token that has nothing newer repeats), but without
        // a token the stream (in the window) is empty, and its forward token reads whatever comes into it.
        LogPosition forwardFrom = page.Count > 0 ? LogPosition.Of(page[^1]) : token is null ? LogPosition.Head : position;
        LogPosition backwardFrom = page.Count > 0 ? LogPosition.Of(page[0]) : position;
        writer.WriteString("nextForwardToken", Token('f', forwardFrom));
        writer.WriteString("nextBackwardToken", Token('b', backwardFrom));
        writer.WriteEndObject();
    }

    /// <summary>The first events after <paramref name="after"/>, at most <paramref name="limit"/> and 1 MB.</summary>
    private static List<LogEvent> First(List<LogEvent> stream, LogPosition after, int limit)
    {
        List<LogEvent> page = [];
        int bytes = 0;
        foreach (LogEvent e in stream)
        {
            if (!after.IsBefore(e))
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
    private static List<LogEvent> Last(List<LogEvent> stream, LogPosition before, int limit)
    {
        int end = stream.Count;
        while (end > 0 && !before.IsAfter(stream[end - 1]))
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

    // CloudWatch's tokens look like f/<56 digits>/s; clients treat them as opaque, so the digits here are a place:
    // 16 zeros, then the timestamp and the sequence number, each as 20 digits (offset by 2^63, so that the head's and
    // the end's places, long.MinValue and long.MaxValue, are digits too).
    private const int Padding = 16;

    private static string Token(char direction, LogPosition position) =>
        direction + "/" + new string('0', Padding) + Digits(position.Timestamp) + Digits(position.Sequence) + "/s";

    private static string Digits(long value) => unchecked((ulong)(value ^ long.MinValue)).ToString("D20", CultureInfo.InvariantCulture);

    private static (bool Forward, LogPosition Position) ParseToken(string token)
    {
        if (token.Length == 2 + Padding + 40 + 2 && token[0] is 'f' or 'b' && token[1] == '/' && token.EndsWith("/s", StringComparison.Ordinal)
            && token.AsSpan(2, Padding).IndexOfAnyExcept('0') < 0
            && ulong.TryParse(token.AsSpan(2 + Padding, 20), NumberStyles.None, CultureInfo.InvariantCulture, out ulong timestamp)
            && ulong.TryParse(token.AsSpan(2 + Padding + 20, 20), NumberStyles.None, CultureInfo.InvariantCulture, out ulong sequence))
        {
            return (token[0] == 'f', new LogPosition(unchecked((long)timestamp ^ long.MinValue), unchecked((long)sequence ^ long.MinValue)));
        }

        throw LogsException.InvalidNextToken();
    }
}
