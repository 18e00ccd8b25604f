using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>UntagLogGroup: the older, deprecated form of UntagResource, by group name; its list of keys is the member <c>tags</c>.</summary>
internal static class UntagLogGroup
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        List<string>? keys = request.Strings("tags");
        request.Required("logGroupName", name);
        request.Required("tags", keys);
        request.ThrowIfInvalid();
        LogGroups.Change(host, name!, current => current with { Tags = LogGroupTags.Remove(current.Tags, keys!) });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
