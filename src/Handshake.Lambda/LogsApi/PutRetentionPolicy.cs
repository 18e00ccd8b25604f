using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// PutRetentionPolicy: the group's retention, one of CloudWatch's allowed numbers of days, kept and described by
/// DescribeLogGroups (<c>retentionInDays</c>) and enforced on the events it holds (<see cref="LogRetention"/>): the
/// events older than it go at once, so a lowered retention takes effect on what is stored, here and in logs.db. Works
/// on a function's group that exists because it logged, as on a created one.
/// </summary>
internal static class PutRetentionPolicy
{
    /// <summary>CloudWatch's allowed retentions, in days (the API reference's list).</summary>
    public static readonly int[] AllowedDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        long? days = request.Long("retentionInDays");
        request.Required("logGroupName", name);
        request.Required("retentionInDays", days);
        if (days is long given && !AllowedDays.Contains((int)Math.Clamp(given, int.MinValue, int.MaxValue)))
        {
            // The validator's enum wording over the allowed list (inferred: CloudWatch's text is not in a recorded snapshot).
            request.Violation("retentionInDays", given.ToString(CultureInfo.InvariantCulture),
                $"Member must satisfy enum value set: [{string.Join(", ", AllowedDays)}]");
        }

        request.ThrowIfInvalid();
        LogGroups.Change(host, name!, group => group with { RetentionInDays = (int)days!.Value });
        if (host.Logs.TryGet(LogGroups.LogKey(name!), out FunctionLog log))
        {
            LogRetention.Expire(host, name!, log);
        }

        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
