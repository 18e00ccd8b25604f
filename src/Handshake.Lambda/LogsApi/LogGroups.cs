using System.Text;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// One log stream as DescribeLogStreams reports it: its creation time (CreateLogStream's, else its first event's) and
/// its first and last event timestamps, counting the events its group's retention took from it (none for a created
/// stream nothing was put into).
/// </summary>
internal sealed record LogStreamSummary(string Name, DateTimeOffset CreationTime, DateTimeOffset? FirstEvent, DateTimeOffset? LastEvent);

/// <summary>
/// The log groups: a function's log is the group <c>/aws/lambda/NAME</c>, or the group its LoggingConfig.LogGroup names
/// (which other functions may share), and a group exists once a function has logged into it (Lambda creates the group
/// at its first invocation, a custom one included); any group also exists while it has a record in
/// <see cref="LogGroupSettings"/> (made by CreateLogGroup, or by a retention or tag change of a function's group), with
/// no events until a function logs into it. Names, ARNs and identifiers resolve here.
/// </summary>
internal static class LogGroups
{
    public const string LambdaPrefix = "/aws/lambda/";

    /// <summary>The events of a group that has none: a created group no function logs into (nothing is ever appended to it).</summary>
    private static readonly FunctionLog NoEvents = new(string.Empty, 1, writer: null);

    /// <summary>The log group a request names by logGroupName or logGroupIdentifier (a name or an ARN), with its log.</summary>
    /// <exception cref="LogsException">Both or neither given; ResourceNotFoundException for a group that does not exist.</exception>
    public static (string GroupName, FunctionLog Log) Resolve(FunctionHost host, LogsRequest request)
    {
        string? name = request.String("logGroupName");
        string? identifier = request.String("logGroupIdentifier");
        request.Length("logGroupName", name, 1, 512);
        request.Length("logGroupIdentifier", identifier, 1, 2048);
        request.ThrowIfInvalid();
        if (name is not null && identifier is not null)
        {
            throw LogsException.InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        }

        if ((name ?? identifier) is not { } given)
        {
            throw LogsException.InvalidParameter("Either LogGroup name or LogGroup ARN must be specified.");
        }

        string groupName = name ?? GroupNameOf(host, given) ?? throw LogsException.LogGroupNotFound();
        return Find(host, groupName) is { } log ? (groupName, log) : throw LogsException.LogGroupNotFound();
    }

    /// <summary>
    /// The log behind a group name; null when the group does not exist: no record, and nothing logged since the group
    /// was made or last deleted (DeleteLogGroup clears the log). A group outside /aws/lambda/ holds what PutLogEvents put
    /// and what the functions whose LoggingConfig names it wrote.
    /// </summary>
    public static FunctionLog? Find(FunctionHost host, string groupName)
    {
        FunctionLog? log = host.Logs.TryGet(LogKey(groupName), out FunctionLog found) ? found : null;
        if (log?.FirstTimestamp is not null || host.LogGroupSettings.Get(groupName) is not null)
        {
            return log ?? NoEvents;
        }

        return null;
    }

    /// <summary>
    /// The key of a group's events in the log store (and logs.db's <c>function</c> column): a function's name for
    /// <c>/aws/lambda/NAME</c>, so that PutLogEvents into a function's group lands in the log its environments write and
    /// `handshake logs NAME` reads; <c>:</c> and the group's name for any other group. No function name and no group name
    /// holds a colon, so the two kinds of key never meet.
    /// </summary>
    public static string LogKey(string groupName) => FunctionOf(groupName) is { Length: > 0 } function ? function : ":" + groupName;

    /// <summary>The group a log store key belongs to (the inverse of <see cref="LogKey"/>).</summary>
    public static string GroupOfKey(string key) => key.StartsWith(':') ? key[1..] : LambdaPrefix + key;

    /// <summary>The log a write goes into: the group's own, made when it has none yet (a created group nothing was put into).</summary>
    public static FunctionLog WritableLog(FunctionHost host, string groupName) => host.Logs.For(LogKey(groupName));

    /// <summary>
    /// The log group a write operation names by logGroupName (CreateLogStream, DeleteLogStream, PutLogEvents have no
    /// logGroupIdentifier), with the model's constraints on it and on logStreamName collected into <paramref name="request"/>.
    /// </summary>
    public static (string? Group, string? Stream) ReadNames(LogsRequest request)
    {
        string? group = request.String("logGroupName");
        string? stream = request.String("logStreamName");
        request.Required("logGroupName", group);
        request.Required("logStreamName", stream);
        CreateLogGroup.ValidateName(request, group);
        if (group is { Length: > 512 })
        {
            request.Violation("logGroupName", group, "Member must have length less than or equal to 512");
        }

        ValidateStreamName(request, stream);
        return (group, stream);
    }

    /// <summary>The model's LogStreamName: 1-512 characters, pattern <c>[^:*]*</c> (no colon, no asterisk).</summary>
    public static void ValidateStreamName(LogsRequest request, string? stream)
    {
        request.Length("logStreamName", stream, 1, 512);
        if (stream is not null && stream.AsSpan().IndexOfAny(':', '*') >= 0)
        {
            request.Violation("logStreamName", stream, "Member must satisfy regular expression pattern: [^:*]*");
        }
    }

    /// <summary>
    /// Whether a stream exists in a group: CreateLogStream recorded it, or the group's log holds one of its events or
    /// held some that expired or that the cap pushed out (<see cref="FunctionLog.HasStream"/>: the same answer whether or
    /// not the expiry has run).
    /// </summary>
    public static bool StreamExists(FunctionHost host, string groupName, FunctionLog log, string stream) =>
        host.CreatedLogStreams.Contains(groupName, stream) || log.HasStream(stream);

    /// <summary>
    /// Changes an existing group's record (retention, tags): a function's group that exists because it logged gets
    /// its record now, with the log's creation time. The change is kept before it is answered.
    /// </summary>
    /// <exception cref="LogsException">ResourceNotFoundException for a group that does not exist; what <paramref name="change"/> throws.</exception>
    public static LogGroupSetting Change(FunctionHost host, string groupName, Func<LogGroupSetting, LogGroupSetting> change) =>
        host.LogGroupSettings.Update(groupName, current =>
        {
            if (current is null)
            {
                DateTimeOffset? created = host.Logs.TryGet(LogKey(groupName), out FunctionLog log) ? log.FirstTimestamp : null;
                current = created is { } time
                    ? new LogGroupSetting(groupName, time, RetentionInDays: null, KmsKeyId: null, "STANDARD", new Dictionary<string, string>())
                    : throw LogsException.LogGroupNotFound();
            }

            return change(current);
        });

    /// <summary>The function whose log a group name is (<c>/aws/lambda/NAME</c>); empty for any other group.</summary>
    public static string FunctionOf(string groupName) =>
        groupName.StartsWith(LambdaPrefix, StringComparison.Ordinal) ? groupName[LambdaPrefix.Length..] : string.Empty;

    /// <summary>
    /// The group a resource ARN names (TagResource, UntagResource, ListTagsForResource): a log group's ARN in this
    /// host's region and account, with or without the trailing <c>:*</c>; null for any other ARN.
    /// </summary>
    public static string? GroupNameOfArn(FunctionHost host, string arn) =>
        arn.StartsWith("arn:", StringComparison.Ordinal) ? GroupNameOf(host, arn) : null;

    /// <summary>
    /// The group a logGroupIdentifier names: a name as it is, an ARN (<c>arn:aws:logs:REGION:ACCOUNT:log-group:NAME</c>,
    /// with or without DescribeLogGroups' trailing <c>:*</c>) only in this host's region and account.
    /// </summary>
    private static string? GroupNameOf(FunctionHost host, string identifier)
    {
        if (!identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            return identifier;
        }

        string prefix = GroupArnPrefix(host);
        if (!identifier.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string name = identifier[prefix.Length..];
        return name.EndsWith(":*", StringComparison.Ordinal) ? name[..^2] : name;
    }

    private static string GroupArnPrefix(FunctionHost host) => $"arn:aws:logs:{host.Options.Region}:{host.Options.AccountId}:log-group:";

    /// <summary>The group's ARN as DescribeLogGroups' <c>logGroupArn</c> (no trailing <c>:*</c>).</summary>
    public static string GroupArn(FunctionHost host, string groupName) => GroupArnPrefix(host) + groupName;

    public static string StreamArn(FunctionHost host, string groupName, string streamName) => GroupArn(host, groupName) + ":log-stream:" + streamName;

    /// <summary>
    /// Waits (at most 2 s) until the answered invocations of the functions that log into the group have their END and
    /// REPORT lines in the log, as `handshake logs` does: a caller that reads the log right after its Invoke returned
    /// finds the REPORT there.
    /// </summary>
    public static async Task SettleAsync(FunctionHost host, string groupName, CancellationToken cancellationToken)
    {
        try
        {
            await host.LogGroupSettledAsync(groupName).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A function still printing: serve what is there.
        }
    }

    /// <summary>
    /// The streams of a snapshot, the streams the log let events go from (<paramref name="former"/>: expired by the
    /// group's retention or pushed out by the cap, with the timestamps those events had) and the group's created streams
    /// (<paramref name="created"/>, with their creation times), by name (ordinal), each with its first and last event
    /// timestamps: a stream keeps its first event's (and its creation time, which is that for a stream known by its
    /// events) when the retention or the cap takes it, and a stream all of whose events went is still listed with them,
    /// as CloudWatch keeps a stream until it is deleted.
    /// </summary>
    public static List<LogStreamSummary> Streams(List<LogEvent> events, Dictionary<string, FormerStreamEvents> former, Dictionary<string, DateTimeOffset> created)
    {
        Dictionary<string, (DateTimeOffset First, DateTimeOffset Last)> streams = new(StringComparer.Ordinal);
        foreach ((string name, FormerStreamEvents times) in former)
        {
            streams[name] = (times.FirstEventTimestamp, times.LastEventTimestamp);
        }

        foreach (LogEvent e in events)
        {
            streams[e.LogStreamName] = streams.TryGetValue(e.LogStreamName, out var seen)
                ? (e.Timestamp < seen.First ? e.Timestamp : seen.First, e.Timestamp > seen.Last ? e.Timestamp : seen.Last)
                : (e.Timestamp, e.Timestamp);
        }

        List<LogStreamSummary> summaries = new(streams.Count + created.Count);
        foreach ((string name, (DateTimeOffset first, DateTimeOffset last)) in streams)
        {
            // A stream the host learns of by its first event was created then, as far as anyone can tell.
            summaries.Add(new LogStreamSummary(name, created.TryGetValue(name, out DateTimeOffset made) ? made : first, first, last));
        }

        foreach ((string name, DateTimeOffset made) in created)
        {
            if (!streams.ContainsKey(name))
            {
                summaries.Add(new LogStreamSummary(name, made, null, null));
            }
        }

        summaries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return summaries;
    }

    /// <summary>What a page of events may hold: CloudWatch's 1 MB, counted as the service counts an event (its UTF-8 message and 26 bytes).</summary>
    public const int MaxPageBytes = 1024 * 1024;

    public static int EventBytes(LogEvent e) => Encoding.UTF8.GetByteCount(e.Message) + 26;

    /// <summary>A request's startTime/endTime window: startTime inclusive, endTime exclusive, both in epoch milliseconds.</summary>
    public static bool InWindow(LogEvent e, long? startTime, long? endTime)
    {
        long timestamp = e.Timestamp.ToUnixTimeMilliseconds();
        return (startTime is not long start || timestamp >= start) && (endTime is not long end || timestamp < end);
    }
}
