using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DescribeLogGroups: one group per function that has logged (<c>/aws/lambda/NAME</c>), in name order. The page token
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

        writer.WriteStartObject();
        writer.WriteStartArray("logGroups");
        string? last = null;
        int written = 0;
        bool more = false;
        foreach ((string function, FunctionLog log) in host.Logs.All())
        {
            if (log.FirstTimestamp is not { } created)
            {
                continue; // no event yet: Lambda has not created the group
            }

            string groupName = LogGroups.LambdaPrefix + function;
            // The prefix is case-sensitive; the pattern is a case-sensitive substring anywhere in the name.
            if ((prefix is not null && !groupName.StartsWith(prefix, StringComparison.Ordinal))
                || (!string.IsNullOrEmpty(pattern) && !groupName.Contains(pattern, StringComparison.Ordinal))
                || (nextToken is not null && string.CompareOrdinal(groupName, nextToken) <= 0))
            {
                continue;
            }

            if (written == limit)
            {
                more = true;
                break;
            }

            (List<LogEvent> events, _) = log.Snapshot();
            long storedBytes = 0;
            foreach (LogEvent e in events)
            {
                storedBytes += LogGroups.EventBytes(e);
            }

            string arn = LogGroups.GroupArn(host, groupName);
            writer.WriteStartObject();
            writer.WriteString("logGroupName", groupName);
            writer.WriteNumber("creationTime", created.ToUnixTimeMilliseconds());
            writer.WriteNumber("metricFilterCount", 0);
            writer.WriteString("arn", arn + ":*");
            writer.WriteNumber("storedBytes", storedBytes);
            writer.WriteString("logGroupClass", "STANDARD");
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
