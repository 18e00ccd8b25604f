using System.Globalization;
using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// One request's JSON members, read as CloudWatch Logs' front end reads them: a member of the wrong JSON type is a
/// SerializationException; out-of-range values are collected and refused together in the model validator's words
/// ("2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: ...; ...").
/// </summary>
internal sealed class LogsRequest
{
    private readonly JsonElement _root;
    private readonly List<string> _violations = [];

    private LogsRequest(JsonElement root) => _root = root;

    /// <exception cref="LogsException">SerializationException when the body is not one JSON object.</exception>
    public static LogsRequest Parse(JsonDocument document) =>
        document.RootElement.ValueKind == JsonValueKind.Object ? new LogsRequest(document.RootElement) : throw LogsException.Serialization();

    public string? String(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw LogsException.Serialization();
    }

    public long? Long(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) ? number : throw LogsException.Serialization();
    }

    public bool? Boolean(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw LogsException.Serialization(),
        };
    }

    public List<string>? Strings(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw LogsException.Serialization();
        }

        List<string> strings = [];
        foreach (JsonElement item in value.EnumerateArray())
        {
            strings.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw LogsException.Serialization());
        }

        return strings;
    }

    /// <summary>A list of structures (PutLogEvents' logEvents): each item an object; anything else is a SerializationException.</summary>
    public List<JsonElement>? Objects(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw LogsException.Serialization();
        }

        List<JsonElement> items = [];
        foreach (JsonElement item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.Object ? item : throw LogsException.Serialization());
        }

        return items;
    }

    /// <summary>A string member of one of <see cref="Objects"/>' items (null when absent); another JSON type is a SerializationException.</summary>
    public static string? String(JsonElement item, string name) =>
        !item.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString() : throw LogsException.Serialization();

    /// <summary>A long member of one of <see cref="Objects"/>' items (null when absent); another JSON type is a SerializationException.</summary>
    public static long? Long(JsonElement item, string name) =>
        !item.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) ? number : throw LogsException.Serialization();

    /// <summary>A map of strings (tags); a member that is not an object of strings is a SerializationException.</summary>
    public Dictionary<string, string>? Map(string name)
    {
        if (!_root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw LogsException.Serialization();
        }

        Dictionary<string, string> map = new(StringComparer.Ordinal);
        foreach (JsonProperty entry in value.EnumerateObject())
        {
            map[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : throw LogsException.Serialization();
        }

        return map;
    }

    /// <summary>An optional integer member within [min, max] (the model's range), or <paramref name="fallback"/> when absent.</summary>
    public int Limit(string name, int min, int max, int fallback)
    {
        long? value = Long(name);
        if (value is not long limit)
        {
            return fallback;
        }

        if (limit < min)
        {
            Violation(name, limit.ToString(CultureInfo.InvariantCulture), $"Member must have value greater than or equal to {min}");
        }
        else if (limit > max)
        {
            Violation(name, limit.ToString(CultureInfo.InvariantCulture), $"Member must have value less than or equal to {max}");
        }

        return (int)Math.Clamp(limit, min, max);
    }

    /// <summary>A string member's length within [min, max] (the model's constraint); null passes.</summary>
    public string? Length(string name, string? value, int min, int max)
    {
        if (value is not null && value.Length < min)
        {
            Violation(name, value, $"Member must have length greater than or equal to {min}");
        }
        else if (value is not null && value.Length > max)
        {
            Violation(name, value, $"Member must have length less than or equal to {max}");
        }

        return value;
    }

    /// <summary>A required member that is missing: the validator's "Member must not be null".</summary>
    public void Required(string name, object? value)
    {
        if (value is null)
        {
            _violations.Add($"Value null at '{name}' failed to satisfy constraint: Member must not be null");
        }
    }

    public void Violation(string name, string value, string constraint) =>
        _violations.Add($"Value '{value}' at '{name}' failed to satisfy constraint: {constraint}");

    /// <summary>Refuses the request when any member broke the model's constraints, all of them in one message, as AWS does.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            string count = _violations.Count == 1 ? "1 validation error detected: " : $"{_violations.Count} validation errors detected: ";
            throw LogsException.InvalidParameter(count + string.Join("; ", _violations));
        }
    }
}
