using System.Text.Json;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DeleteLogGroup: the group's record (retention, tags), its created streams and its events go, here and in logs.db (a
/// function's events, or what PutLogEvents put into any group). A function's group
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

        // The records first: should one fail to be deleted (ServiceUnavailableException), the events are still there.
        host.LogGroupSettings.Remove(name!);
        host.CreatedLogStreams.RemoveGroup(name!);
        if (host.Logs.TryGet(LogGroups.LogKey(name!), out FunctionLog log))
        {
            log.Clear();
        }

        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
