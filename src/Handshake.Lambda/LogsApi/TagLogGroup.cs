using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>TagLogGroup: the older, deprecated form of TagResource, by group name (the AWS CLI's tag-log-group).</summary>
internal static class TagLogGroup
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        Dictionary<string, string>? tags = request.Map("tags");
        request.Required("logGroupName", name);
        request.Required("tags", tags);
        LogGroupTags.Validate(request, "tags", tags);
        request.ThrowIfInvalid();
        LogGroups.Change(host, name!, current => current with { Tags = LogGroupTags.Add(current.Tags, tags!, LogGroups.GroupArn(host, name!)) });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
