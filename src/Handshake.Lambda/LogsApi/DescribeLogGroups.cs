using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DescribeLogGroups: one group per function that has logged (<c>/aws/lambda/NAME</c>) and per group made or changed
/// through the API (CreateLogGroup, a retention or tags), in name order. The page token
/// is the last group name returned, as CloudWatch's is, so a page resumes after it however the groups change meanwhile.
/// </summary>
internal static class DescribeLogGroups
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? prefix = request.Length("logGroupNamePrefix", request.String("logGroupNamePrefix"), 1, 512);
        string? pattern = request.Length("logGroupNamePattern", request.String("logGroupNamePattern"), 0, 512);
        string? nextToken = request.Length("nextToken", request.String("nextToken"), 1, int.MaxValue);
        int limit = request.Limit("limit", 1, 50, 50);
        request.ThrowIfInvalid();
        if (prefix is not null && pattern is not null)
        {
            throw LogsException.InvalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        }

        // Every group that exists: those with a record (created, or with retention or tags) and the functions' logs
        // that have an event, by name (ordinal, as CloudWatch lists them).
        SortedDictionary<string, (LogGroupSetting? Setting, FunctionLog? Log)> groups = new(StringComparer.Ordinal);
        foreach (LogGroupSetting setting in host.LogGroupSettings.All())
        {
            groups[setting.Name] = (setting, null);
        }

        foreach ((string key, FunctionLog log) in host.Logs.All())
        {
            // A function's log, or (a key starting with ':') another group's: what PutLogEvents put into it and what
            // the functions whose LoggingConfig names it wrote.
            string groupName = LogGroups.GroupOfKey(key);
            LogGroupSetting? setting = groups.TryGetValue(groupName, out var seen) ? seen.Setting : null;
            if (setting is not null || log.FirstTimestamp is not null)
            {
                groups[groupName] = (setting, log); // a log with no event and no record: Lambda has not made the group
            }
        }

        writer.WriteStartObject();
        writer.WriteStartArray("logGroups");
        string? last = null;
        int written = 0;
        bool more = false;
        foreach ((string groupName, (LogGroupSetting? setting, FunctionLog? log)) in groups)
        {
            // The prefix is case-sensitive; the pattern is a case-sensitive substring anywhere in the name.
            if ((prefix is not null && !groupName.StartsWith(prefix, StringComparison.Ordinal))
                || (!string.IsNullOrEmpty(pattern) && !groupName.Contains(pattern, StringComparison.Ordinal))
                || (nextToken is not null && string.CompareOrdinal(groupName, nextToken) <= 0))
            {
                continue;
            }

            // A group created before its function logged keeps its creation time; a function's group, its first event's.
            if ((setting?.CreationTime ?? log?.FirstTimestamp) is not { } created)
            {
                continue; // its events deleted since the listing began
            }

            if (written == limit)
            {
                more = true;
                break;
            }

            // What the group holds once its expired events are gone (CloudWatch does not count events marked for deletion).
            long storedBytes = 0;
            if (log is not null)
            {
                LogRetention.Expire(host, groupName, log);
                (List<LogEvent> events, _) = log.Snapshot();
                foreach (LogEvent e in events)
                {
                    storedBytes += LogGroups.EventBytes(e);
                }
            }

            string arn = LogGroups.GroupArn(host, groupName);
            writer.WriteStartObject();
            writer.WriteString("logGroupName", groupName);
            writer.WriteNumber("creationTime", created.ToUnixTimeMilliseconds());
            if (setting?.RetentionInDays is int days)
            {
                writer.WriteNumber("retentionInDays", days); // absent when the events never expire, as CloudWatch answers
            }

            writer.WriteNumber("metricFilterCount", 0);
            writer.WriteString("arn", arn + ":*");
            writer.WriteNumber("storedBytes", storedBytes);
            if (setting?.KmsKeyId is { } kmsKeyId)
            {
                writer.WriteString("kmsKeyId", kmsKeyId);
            }

            writer.WriteString("logGroupClass", setting?.LogGroupClass ?? "STANDARD");
            writer.WriteString("logGroupArn", arn);
            writer.WriteEndObject();
            last = groupName;
            written++;
        }

        writer.WriteEndArray();
        if (more)
        {
            writer.WriteString("nextToken", last);
        }

        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
