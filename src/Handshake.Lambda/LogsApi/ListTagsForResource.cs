using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>ListTagsForResource: the tags of the log group its ARN names, <c>{"tags":{}}</c> when it has none.</summary>
internal static class ListTagsForResource
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string group = LogGroupTags.GroupOfResource(host, request);
        request.ThrowIfInvalid();
        LogGroupTags.Write(writer, TagsOf(host, group));
        return Task.CompletedTask;
    }

    /// <summary>A group's tags; ResourceNotFoundException for a group that does not exist.</summary>
    public static IReadOnlyDictionary<string, string> TagsOf(FunctionHost host, string group) =>
        host.LogGroupSettings.Get(group)?.Tags
        ?? (LogGroups.Find(host, group) is not null ? new Dictionary<string, string>() : throw LogsException.LogGroupNotFound());
}
