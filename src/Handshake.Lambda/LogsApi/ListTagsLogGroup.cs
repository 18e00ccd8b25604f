using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>ListTagsLogGroup: the older, deprecated form of ListTagsForResource, by group name.</summary>
internal static class ListTagsLogGroup
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        request.Required("logGroupName", name);
        request.ThrowIfInvalid();
        LogGroupTags.Write(writer, ListTagsForResource.TagsOf(host, name!));
        return Task.CompletedTask;
    }
}
