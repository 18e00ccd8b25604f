using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// FilterLogEvents: the group's events (all streams, or the named ones, or those under a prefix) in timestamp order
/// across the streams (ties in the order they were logged or put), within the time window, that match the filter
/// pattern (<see cref="FilterPattern"/>). A page ends at the limit or 1 MB; nextToken (the place of the first matching
/// event left over, <see cref="LogPosition"/>: a timestamp and a sequence number, not an index, so it stays right when
/// events arrive between pages) is present only while more matching events remain, so the paginators stop when it is
/// absent.
/// </summary>
internal static class FilterLogEvents
{
    // Not the earlier "handshake-events/" (a sequence number alone): a token of an older host is refused, not misread.
    private const string TokenPrefix = "handshake-events-at/";

    public static async Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        List<string>? streamNames = request.Strings("logStreamNames");
        string? streamPrefix = request.Length("logStreamNamePrefix", request.String("logStreamNamePrefix"), 1, 512);
        long? startTime = request.Long("startTime");
        long? endTime = request.Long("endTime");
        string? pattern = request.Length("filterPattern", request.String("filterPattern"), 0, 1024);
        string? nextToken = request.Length("nextToken", request.String("nextToken"), 1, int.MaxValue);
        int limit = request.Limit("limit", 1, 10_000, 10_000);
        if (streamNames is { Count: 0 or > 100 })
        {
            request.Violation("logStreamNames", "[" + string.Join(", ", streamNames) + "]",
                streamNames.Count == 0 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 100");
        }

        (string groupName, FunctionLog log) = LogGroups.Resolve(host, request);
        if (streamNames is not null && streamPrefix is not null)
        {
            throw LogsException.InvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        }

        FilterPattern filter = FilterPattern.Parse(pattern);
        LogPosition from = nextToken is null ? LogPosition.Head : PagingToken.ReadPosition(TokenPrefix, nextToken);
        HashSet<string>? names = streamNames is null ? null : new(streamNames, StringComparer.Ordinal);

        await LogGroups.SettleAsync(host, groupName, cancellationToken).ConfigureAwait(false);
        LogRetention.Expire(host, groupName, log);
        (List<LogEvent> events, _) = log.SnapshotByTime();
        writer.WriteStartObject();
        writer.WriteStartArray("events");
        int count = 0;
        int bytes = 0;
        LogPosition? resumeAt = null;
        foreach (LogEvent e in events)
        {
            if (from.IsAfter(e)
                || (names is not null && !names.Contains(e.LogStreamName))
                || (streamPrefix is not null && !e.LogStreamName.StartsWith(streamPrefix, StringComparison.Ordinal))
                || !LogGroups.InWindow(e, startTime, endTime)
                || !filter.Matches(e.Message))
            {
                continue;
            }

            bytes += LogGroups.EventBytes(e);
            if (count == limit || (bytes > LogGroups.MaxPageBytes && count > 0))
            {
                resumeAt = LogPosition.Of(e); // a matching event is left for the next page, which starts at it
                break;
            }

            long timestamp = e.Timestamp.ToUnixTimeMilliseconds();
            writer.WriteStartObject();
            writer.WriteString("logStreamName", e.LogStreamName);
            writer.WriteNumber("timestamp", timestamp);
            writer.WriteString("message", e.Message);
            writer.WriteNumber("ingestionTime", timestamp);
            // CloudWatch's event ids are 56-digit strings, unique in the group: here the event's position in the log.
            writer.WriteString("eventId", e.Sequence.ToString("D56", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            count++;
        }

        writer.WriteEndArray();
        // Deprecated since 2020: CloudWatch answers an empty list.
        writer.WriteStartArray("searchedLogStreams");
        writer.WriteEndArray();
        if (resumeAt is LogPosition resume)
        {
            writer.WriteString("nextToken", PagingToken.Write(TokenPrefix, resume));
        }

        writer.WriteEndObject();
    }
}
