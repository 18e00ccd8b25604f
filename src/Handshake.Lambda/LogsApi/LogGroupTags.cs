using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// What the tag operations share: the model's constraints on tags (a key 1-128 characters, a value 0-256, at most 50
/// a group), the group a resource ARN names, and the answer's <c>{"tags":{...}}</c>.
/// </summary>
internal static class LogGroupTags
{
    /// <summary>CloudWatch Logs' quota: 50 tags a log group.</summary>
    public const int MaxTags = 50;

    /// <summary>Checks a request's tags as the model's validator does (its violations join the request's others).</summary>
    public static void Validate(LogsRequest request, string member, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        if (tags.Count is 0 or > MaxTags)
        {
            request.Violation(member, "{...}", tags.Count == 0 ? "Member must have length greater than or equal to 1" : $"Member must have length less than or equal to {MaxTags}");
        }

        foreach ((string key, string value) in tags)
        {
            request.Length($"{member}.{key}.member.key", key, 1, 128);
            request.Length($"{member}.{key}.member.value", value, 0, 256);
        }
    }

    /// <summary>The tags a group has after <paramref name="added"/>; TooManyTagsException past 50, as TagResource answers it.</summary>
    public static IReadOnlyDictionary<string, string> Add(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> added, string arn)
    {
        Dictionary<string, string> merged = new(tags, StringComparer.Ordinal);
        foreach ((string key, string value) in added)
        {
            merged[key] = value;
        }

        return merged.Count > MaxTags
            ? throw new LogsException("TooManyTagsException", $"A resource can have no more than {MaxTags} tags. Resource name: {arn}")
            : merged;
    }

    public static IReadOnlyDictionary<string, string> Remove(IReadOnlyDictionary<string, string> tags, IEnumerable<string> keys)
    {
        Dictionary<string, string> left = new(tags, StringComparer.Ordinal);
        foreach (string key in keys)
        {
            left.Remove(key);
        }

        return left;
    }

    /// <summary>The group a resourceArn names (required, 1-1011 characters); ResourceNotFoundException for any other resource or a group that does not exist.</summary>
    public static string GroupOfResource(FunctionHost host, LogsRequest request)
    {
        string? arn = request.Length("resourceArn", request.String("resourceArn"), 1, 1011);
        request.Required("resourceArn", arn);
        return arn is null ? string.Empty : LogGroups.GroupNameOfArn(host, arn) ?? throw LogsException.LogGroupNotFound();
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> tags)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("tags");
        foreach ((string key, string value) in tags.OrderBy(static t => t.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
