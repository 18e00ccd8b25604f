using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>The tags of a request (TagResource, CreateFunction) and the function ARN the tag operations name.</summary>
internal static class FunctionTags
{
    /// <summary>The function an unqualified function ARN names (the only taggable resource here).</summary>
    /// <exception cref="LambdaException">
    /// ValidationException for what is not an unqualified function ARN (inferred wording beyond the model's pattern);
    /// ResourceNotFoundException for a function that does not exist, or another region's or account's.
    /// </exception>
    public static string FunctionFromArn(FunctionHost host, string arn)
    {
        if (!arn.StartsWith("arn:", StringComparison.Ordinal)
            || !FunctionName.TryParse(arn, out string name, out string? qualifier, out string? region, out string? account)
            || region is null || qualifier is not null)
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:\\d{{12}}:(function:[a-zA-Z0-9-_]+|code-signing-config:csc-[a-z0-9]{{17}}|event-source-mapping:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})");
        }

        if (region != host.Options.Region || account != host.Options.AccountId || !host.TryGetFunction(name, out _))
        {
            throw LambdaException.FunctionNotFound(arn);
        }

        return name;
    }

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
