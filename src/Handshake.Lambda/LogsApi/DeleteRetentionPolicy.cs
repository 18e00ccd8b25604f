using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DeleteRetentionPolicy: the group's events never expire again (no <c>retentionInDays</c> in DescribeLogGroups). What
/// the retention expired before stays deleted; what remains is kept.
/// </summary>
internal static class DeleteRetentionPolicy
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        request.Required("logGroupName", name);
        request.ThrowIfInvalid();
        LogGroups.Change(host, name!, group => group with { RetentionInDays = null });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
