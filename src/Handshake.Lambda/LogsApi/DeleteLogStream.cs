using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// DeleteLogStream: the stream and its events go (<c>{}</c> answered), here and in logs.db (through the log writer, in
/// order with the events, as DeleteLogGroup's). Any stream of the group may be deleted, a function environment's too:
/// its stored events go, and the host is not hurt by it, since an environment only ever appends to its stream (nothing
/// reads a stream back to run): an environment still alive makes the stream again with its next line, as Lambda's own
/// log agent makes a missing stream again (inferred), and a new environment writes to a stream of a new name anyway.
/// A stream whose events have all expired or been pushed out by the cap is deleted the same way (what the log keeps of
/// it goes too). ResourceNotFoundException
/// for a group or a stream that does not exist.
/// </summary>
internal static class DeleteLogStream
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        (string? group, string? stream) = LogGroups.ReadNames(request);
        request.ThrowIfInvalid();
        if (LogGroups.Find(host, group!) is not { } found)
        {
            throw LogsException.LogGroupNotFound();
        }

        // The record first (it is what a failure to keep the change must leave as it was); then the events.
        bool recorded = host.CreatedLogStreams.Remove(group!, stream!);
        if (!recorded && !found.HasStream(stream!))
        {
            throw LogsException.LogStreamNotFound();
        }

        found.RemoveStream(stream!);
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
