using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>UntagResource: removes tags (by key; a key the group does not have is no error) of the log group its ARN names.</summary>
internal static class UntagResource
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string group = LogGroupTags.GroupOfResource(host, request);
        List<string>? keys = request.Strings("tagKeys");
        request.Required("tagKeys", keys);
        request.ThrowIfInvalid();
        LogGroups.Change(host, group, current => current with { Tags = LogGroupTags.Remove(current.Tags, keys!) });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
