using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>The tags of a request (TagResource, CreateFunction, CreateEventSourceMapping) and the resource the tag operations' ARN names.</summary>
internal static class FunctionTags
{
    /// <summary>
    /// What a tag operation's ARN names: a function (an unqualified function ARN) or an event source mapping
    /// (<c>arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID</c>), the taggable resources the host has.
    /// </summary>
    /// <exception cref="LambdaException">
    /// ValidationException for anything else (the model's pattern; inferred wording beyond it); ResourceNotFoundException
    /// for a function or mapping that does not exist, or another region's or account's.
    /// </exception>
    public static TaggedResource Resolve(FunctionHost host, string arn)
    {
        const string mappingPrefix = ":event-source-mapping:";
        int mapping = arn.IndexOf(mappingPrefix, StringComparison.Ordinal);
        if (mapping > 0 && arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            string uuid = arn[(mapping + mappingPrefix.Length)..];
            string[] parts = arn[..mapping].Split(':');
            if (parts.Length != 5 || parts[2] != "lambda" || !Guid.TryParseExact(uuid, "D", out _) || uuid != uuid.ToLowerInvariant())
            {
                throw PatternError(arn);
            }

            if (parts[3] != host.Options.Region || parts[4] != host.Options.AccountId)
            {
                throw EventSources.EventSourceMappings.NotFound();
            }

            return new TaggedResource(null, uuid);
        }

        if (!arn.StartsWith("arn:", StringComparison.Ordinal)
            || !FunctionName.TryParse(arn, out string name, out string? qualifier, out string? region, out string? account)
            || region is null || qualifier is not null)
        {
            throw PatternError(arn);
        }

        if (region != host.Options.Region || account != host.Options.AccountId || !host.TryGetFunction(name, out _))
        {
            throw LambdaException.FunctionNotFound(arn);
        }

        return new TaggedResource(name, null);
    }

    private static LambdaException PatternError(string arn) =>
        LambdaException.Validation($"1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:(function:[a-zA-Z0-9-_]+|code-signing-config:csc-[a-z0-9]{{17}}|event-source-mapping:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})");

    /// <summary>The Tags map of a request, checked; null when the request has none.</summary>
    /// <exception cref="LambdaException">InvalidParameterValueException for more than 50 tags or a key or value Lambda refuses (inferred wording).</exception>
    public static Dictionary<string, string>? Read(JsonElement body)
    {
        if (!body.TryGetProperty("Tags", out JsonElement tags) || tags.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        Dictionary<string, string> read = new(StringComparer.Ordinal);
        foreach (JsonProperty tag in tags.EnumerateObject())
        {
            // A null value has no value to keep (stored as the text "null" before); dropped, as a null environment
            // variable is. What Lambda answers for one was not checked.
            if (tag.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            string value = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText();
            // AWS's tag rules: keys of 1 to 128 characters, not starting with aws:, values of at most 256.
            if (tag.Name.Length is 0 or > 128 || tag.Name.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw LambdaException.InvalidParameter($"The tag key '{tag.Name}' is invalid.");
            }

            if (value.Length > 256)
            {
                throw LambdaException.InvalidParameter($"The tag value for key '{tag.Name}' is longer than 256 characters.");
            }

            read[tag.Name] = value;
        }

        if (read.Count > FunctionHost.MaxTagsPerFunction)
        {
            throw LambdaException.InvalidParameter("Number of tags exceeds resource tag limit.");
        }

        return read;
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> tags)
    {
        writer.WriteStartObject("Tags");
        foreach ((string key, string value) in tags)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}

/// <summary>A taggable resource: a function (by name) or an event source mapping (by UUID); exactly one is set.</summary>
internal readonly record struct TaggedResource(string? Function, string? MappingUuid);
