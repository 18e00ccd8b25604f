using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>TagResource: adds or replaces tags of the log group its ARN names (what Terraform's aws provider calls).</summary>
internal static class TagResource
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string group = LogGroupTags.GroupOfResource(host, request);
        Dictionary<string, string>? tags = request.Map("tags");
        request.Required("tags", tags);
        LogGroupTags.Validate(request, "tags", tags);
        request.ThrowIfInvalid();
        LogGroups.Change(host, group, current => current with { Tags = LogGroupTags.Add(current.Tags, tags!, LogGroups.GroupArn(host, group)) });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
