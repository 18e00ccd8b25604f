using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DescribeLogStreams: a group's streams: a function's (one per execution environment, named as Lambda names them),
/// each known once the log holds one of its events and until it is deleted (its events' expiry, or the cap pushing
/// them out, leaves it, with its first and last event timestamps, as CloudWatch's retention does), and the streams
/// CreateLogStream made (known by
/// their record, with or without events). Ordered by name or by last event time, either way ascending or descending; a
/// stream that never had an event has no first or last event member, as CloudWatch answers for a new empty stream.
/// </summary>
internal static class DescribeLogStreams
{
    private const string TokenPrefix = "handshake-streams/";

    public static async Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? prefix = request.Length("logStreamNamePrefix", request.String("logStreamNamePrefix"), 1, 512);
        string? orderBy = request.String("orderBy");
        bool descending = request.Boolean("descending") ?? false;
        string? nextToken = request.Length("nextToken", request.String("nextToken"), 1, int.MaxValue);
        int limit = request.Limit("limit", 1, 50, 50);
        if (orderBy is not null and not ("LogStreamName" or "LastEventTime"))
        {
            request.Violation("orderBy", orderBy, "Member must satisfy enum value set: [LogStreamName, LastEventTime]");
        }

        (string groupName, FunctionLog log) = LogGroups.Resolve(host, request);
        bool byTime = orderBy == "LastEventTime";
        if (byTime && prefix is not null)
        {
            throw LogsException.InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }

        int offset = nextToken is null ? 0 : ReadOffset(nextToken);
        await LogGroups.SettleAsync(host, groupName, cancellationToken).ConfigureAwait(false);
        LogRetention.Expire(host, groupName, log);
        (List<LogEvent> events, Dictionary<string, FormerStreamEvents> former) = log.SnapshotStreams();
        List<LogStreamSummary> streams = LogGroups.Streams(events, former, host.CreatedLogStreams.Of(groupName));
        if (prefix is not null)
        {
            streams.RemoveAll(s => !s.Name.StartsWith(prefix, StringComparison.Ordinal));
        }

        if (byTime)
        {
            // Ties (streams whose last events share a millisecond) keep the name order, so that pages are stable. A
            // stream with no event comes before every stream with one (inferred: CloudWatch's order for it is not documented).
            streams.Sort(static (a, b) =>
            {
                DateTimeOffset left = a.LastEvent ?? DateTimeOffset.MinValue;
                DateTimeOffset right = b.LastEvent ?? DateTimeOffset.MinValue;
                return left != right ? left.CompareTo(right) : string.CompareOrdinal(a.Name, b.Name);
            });
        }

        if (descending)
        {
            streams.Reverse();
        }

        writer.WriteStartObject();
        writer.WriteStartArray("logStreams");
        int end = Math.Min(streams.Count, offset + limit);
        for (int i = offset; i < end; i++)
        {
            LogStreamSummary stream = streams[i];
            writer.WriteStartObject();
            writer.WriteString("logStreamName", stream.Name);
            writer.WriteNumber("creationTime", stream.CreationTime.ToUnixTimeMilliseconds());
            if (stream.FirstEvent is { } first && stream.LastEvent is { } last)
            {
                writer.WriteNumber("firstEventTimestamp", first.ToUnixTimeMilliseconds());
                writer.WriteNumber("lastEventTimestamp", last.ToUnixTimeMilliseconds());
                writer.WriteNumber("lastIngestionTime", last.ToUnixTimeMilliseconds());
            }

            writer.WriteString("arn", LogGroups.StreamArn(host, groupName, stream.Name));
            // Deprecated in the API: CloudWatch answers 0 whatever the stream holds.
            writer.WriteNumber("storedBytes", 0);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (end < streams.Count)
        {
            writer.WriteString("nextToken", PagingToken.Write(TokenPrefix, end));
        }

        writer.WriteEndObject();
    }

    // An offset past int's range is no offset this operation gave out.
    private static int ReadOffset(string token) =>
        PagingToken.Read(TokenPrefix, token) is long offset and <= int.MaxValue ? (int)offset : throw LogsException.InvalidNextToken();
}
