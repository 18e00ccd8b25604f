using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DeleteLogGroup: the group's record (retention, tags) and its events go, here and in logs.db. A function's group
/// comes back with its next log line, as Lambda makes it again, with no retention or tags. ResourceNotFoundException
/// for a group that does not exist.
/// </summary>
internal static class DeleteLogGroup
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        request.Required("logGroupName", name);
        request.ThrowIfInvalid();
        if (LogGroups.Find(host, name!) is not { } found)
        {
            throw LogsException.LogGroupNotFound();
        }

        // The record first: should it fail to be deleted (ServiceUnavailableException), the events are still there.
        host.LogGroupSettings.Remove(name!);
        if (found.Function.Length > 0 && host.Logs.TryGet(found.Function, out FunctionLog log))
        {
            log.Clear();
        }

        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
