using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// PutLogEvents: a batch of events into an existing stream of an existing group. They go into the group's log (the
/// ring every reader reads, and logs.db through the same writer as the functions' lines: the same durability, the same
/// newest-10,000-per-group cap), so DescribeLogStreams, GetLogEvents, FilterLogEvents and, for <c>/aws/lambda/NAME</c>,
/// `handshake logs NAME` show them beside the function's own lines.
///
/// CloudWatch's constraints, checked in this order (the order is inferred): the model's (1-10,000 events, each with a
/// timestamp of at least 0 and a message of at least one character); the batch's size (each message's UTF-8 bytes and
/// 26, at most 1,048,576); chronological order; the group, then the stream. Then each event is accepted or rejected by
/// its age: more than 14 days old (tooOld), older than the group's retention (expired), more than 2 hours ahead
/// (tooNew); rejected events are reported by index in <c>rejectedLogEventsInfo</c>, not refused, and the accepted ones
/// may span at most 24 hours. The sequence token is accepted and ignored, as CloudWatch does since 2023, and
/// <c>nextSequenceToken</c> is still answered (AWS still returns it: a LocalStack snapshot recorded against AWS in 2026).
/// </summary>
internal static class PutLogEvents
{
    /// <summary>The batch's limit, counted as CloudWatch counts it: each event's UTF-8 message and 26 bytes.</summary>
    public const int MaxBatchBytes = 1_048_576;

    public const int MaxEvents = 10_000;

    /// <summary>A request body may be larger than the batch (JSON escapes, timestamps); past this it is refused unread.</summary>
    public const int MaxRequestBytes = 8 * 1024 * 1024;

    private static readonly TimeSpan TooOld = TimeSpan.FromDays(14);
    private static readonly TimeSpan TooNew = TimeSpan.FromHours(2);
    private static readonly TimeSpan MaxSpan = TimeSpan.FromHours(24);

    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        (string? groupName, string? streamName) = LogGroups.ReadNames(request);
        List<JsonElement>? items = request.Objects("logEvents");
        request.Length("sequenceToken", request.String("sequenceToken"), 1, int.MaxValue); // ignored, as CloudWatch ignores it
        request.Required("logEvents", items);
        List<(long Timestamp, string Message)> events = Read(request, items);
        request.ThrowIfInvalid();

        long bytes = 0;
        foreach ((_, string message) in events)
        {
            bytes += Encoding.UTF8.GetByteCount(message) + 26;
        }

        if (bytes > MaxBatchBytes)
        {
            // CloudWatch's text (seen in its answers quoted in client issues, 2018 and 2024).
            throw LogsException.InvalidParameter($"Upload too large: {bytes} bytes exceeds limit of {MaxBatchBytes}");
        }

        for (int i = 1; i < events.Count; i++)
        {
            if (events[i].Timestamp < events[i - 1].Timestamp)
            {
                throw LogsException.InvalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
            }
        }

        if (LogGroups.Find(host, groupName!) is not { } found)
        {
            throw LogsException.LogGroupNotFound();
        }

        if (!LogGroups.StreamExists(host, groupName!, found, streamName!))
        {
            throw LogsException.LogStreamNotFound();
        }

        // Rejected by age: the events are in order, so the too-old and expired ones are a prefix and the too-new a suffix.
        long now = host.Options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        long oldest = now - (long)TooOld.TotalMilliseconds;
        long? retained = LogRetention.Cutoff(host, groupName!, now);
        long newest = now + (long)TooNew.TotalMilliseconds;
        int tooOldEnd = events.FindIndex(e => e.Timestamp >= oldest) is int a and >= 0 ? a : events.Count;
        int expiredEnd = retained is long limit ? (events.FindIndex(e => e.Timestamp >= limit) is int b and >= 0 ? b : events.Count) : 0;
        int tooNewStart = events.FindIndex(e => e.Timestamp > newest) is int c and >= 0 ? c : events.Count;
        int first = Math.Max(tooOldEnd, expiredEnd);
        int end = Math.Max(first, tooNewStart);
        if (end - first > 1 && events[end - 1].Timestamp - events[first].Timestamp > (long)MaxSpan.TotalMilliseconds)
        {
            // CloudWatch's text (seen in its answers quoted in client issues, 2019-2021); the span is of the accepted events only.
            throw LogsException.InvalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
        }

        FunctionLog log = LogGroups.WritableLog(host, groupName!);
        for (int i = first; i < end; i++)
        {
            log.Append(DateTimeOffset.FromUnixTimeMilliseconds(events[i].Timestamp), streamName!, events[i].Message);
        }

        writer.WriteStartObject();
        // Deprecated, and still answered by CloudWatch: a 56-digit token, here the log's next position.
        writer.WriteString("nextSequenceToken", log.NextSequence.ToString("D56", CultureInfo.InvariantCulture));
        if (tooOldEnd > 0 || expiredEnd > 0 || tooNewStart < events.Count)
        {
            writer.WriteStartObject("rejectedLogEventsInfo");
            if (tooNewStart < events.Count)
            {
                writer.WriteNumber("tooNewLogEventStartIndex", tooNewStart); // inclusive
            }

            if (tooOldEnd > 0)
            {
                writer.WriteNumber("tooOldLogEventEndIndex", tooOldEnd); // exclusive
            }

            if (expiredEnd > 0)
            {
                writer.WriteNumber("expiredLogEventEndIndex", expiredEnd); // exclusive, as tooOld's (inferred)
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        return Task.CompletedTask;
    }

    /// <summary>The events, with the model's constraints on each (in the validator's words and its 1-based member paths).</summary>
    private static List<(long Timestamp, string Message)> Read(LogsRequest request, List<JsonElement>? items)
    {
        List<(long, string)> events = [];
        if (items is null)
        {
            return events;
        }

        if (items.Count == 0)
        {
            request.Violation("logEvents", "[]", "Member must have length greater than or equal to 1");
        }
        else if (items.Count > MaxEvents)
        {
            // The validator would print the list itself; its rendering of 10,001 events is not known, so it is elided (inferred).
            request.Violation("logEvents", "[...]", $"Member must have length less than or equal to {MaxEvents}");
        }

        for (int i = 0; i < items.Count; i++)
        {
            string path = $"logEvents.{i + 1}.member.";
            long? timestamp = LogsRequest.Long(items[i], "timestamp");
            string? message = LogsRequest.String(items[i], "message");
            request.Required(path + "timestamp", timestamp);
            request.Required(path + "message", message);
            if (timestamp < 0)
            {
                request.Violation(path + "timestamp", timestamp.Value.ToString(CultureInfo.InvariantCulture), "Member must have value greater than or equal to 0");
            }

            request.Length(path + "message", message, 1, int.MaxValue);
            if (timestamp is long t && message is not null)
            {
                events.Add((t, message));
            }
        }

        return events;
    }
}
