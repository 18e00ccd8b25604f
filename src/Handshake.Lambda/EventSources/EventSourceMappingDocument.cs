using System.Text.Json;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// An event source mapping as the state database keeps it: its identity, its settings and its checkpoint (the stream
/// sequence number after which records come next), one JSON document under its UUID. Rewritten whole on each change
/// and each checkpoint (a few hundred bytes), so the settings and the position are always read back together.
/// </summary>
internal static class EventSourceMappingDocument
{
    /// <summary>The state database's kind for event source mappings.</summary>
    public const string Kind = "event-source-mapping";

    /// <summary>Call with the mapping's lock held: the document is one consistent moment of it.</summary>
    public static string ToJson(EventSourceMapping mapping)
    {
        EventSourceMappingSettings settings = mapping.Settings;
        return Persistence.LambdaStateDatabase.Document(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("UUID", mapping.Uuid);
            writer.WriteString("EventSourceArn", mapping.EventSourceArn);
            writer.WriteString("StartingPosition", mapping.StartingPosition);
            writer.WriteNumber("Order", mapping.Order);
            writer.WriteNumber("LastModifiedUnixMs", mapping.LastModified.ToUnixTimeMilliseconds());
            writer.WriteString("LastProcessingResult", mapping.LastProcessingResult);
            writer.WriteNumber("Position", mapping.Position);
            writer.WriteString("FunctionName", settings.FunctionName);
            if (settings.Qualifier is { } qualifier)
            {
                writer.WriteString("Qualifier", qualifier);
            }

            writer.WriteBoolean("Enabled", settings.Enabled);
            writer.WriteNumber("BatchSize", settings.BatchSize);
            writer.WriteNumber("MaximumBatchingWindowInSeconds", settings.MaximumBatchingWindowInSeconds);
            writer.WriteNumber("MaximumRetryAttempts", settings.MaximumRetryAttempts);
            writer.WriteNumber("MaximumRecordAgeInSeconds", settings.MaximumRecordAgeInSeconds);
            writer.WriteBoolean("BisectBatchOnFunctionError", settings.BisectBatchOnFunctionError);
            writer.WriteNumber("ParallelizationFactor", settings.ParallelizationFactor);
            writer.WriteBoolean("ReportBatchItemFailures", settings.ReportBatchItemFailures);
            if (settings.FilterCriteria is { } criteria)
            {
                // As the answers echo it: {} when it was given without Filters, else the patterns as written.
                writer.WriteStartObject("FilterCriteria");
                if (criteria.Patterns is { } patterns)
                {
                    writer.WriteStartArray("Filters");
                    foreach (string pattern in patterns)
                    {
                        writer.WriteStringValue(pattern);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            if (mapping.Tags.Count > 0)
            {
                writer.WriteStartObject("Tags");
                foreach ((string key, string value) in mapping.Tags)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// The mapping a document describes, Enabled or Disabled as its settings say (a transition the last host had
    /// answered, such as Enabling or Disabling, has taken effect), with no poller yet.
    /// </summary>
    /// <exception cref="JsonException">Not a document <see cref="ToJson"/> wrote.</exception>
    public static EventSourceMapping FromJson(string json, Action<EventSourceMapping> saving)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            FilterCriteria? filters = null;
            if (root.TryGetProperty("FilterCriteria", out JsonElement criteria))
            {
                if (criteria.TryGetProperty("Filters", out JsonElement list))
                {
                    List<string> patterns = [];
                    List<FilterPattern> compiled = [];
                    foreach (JsonElement pattern in list.EnumerateArray())
                    {
                        string text = pattern.GetString()!;
                        patterns.Add(text);
                        compiled.Add(FilterPatternParser.Parse(text) ?? throw new JsonException($"filter pattern not understood: {text}"));
                    }

                    filters = new FilterCriteria(patterns, [.. compiled]);
                }
                else
                {
                    filters = new FilterCriteria(null, []);
                }
            }

            EventSourceMappingSettings settings = new()
            {
                FunctionName = root.GetProperty("FunctionName").GetString()!,
                Qualifier = root.TryGetProperty("Qualifier", out JsonElement qualifier) ? qualifier.GetString() : null,
                Enabled = root.GetProperty("Enabled").GetBoolean(),
                BatchSize = root.GetProperty("BatchSize").GetInt32(),
                MaximumBatchingWindowInSeconds = root.GetProperty("MaximumBatchingWindowInSeconds").GetInt32(),
                MaximumRetryAttempts = root.GetProperty("MaximumRetryAttempts").GetInt32(),
                MaximumRecordAgeInSeconds = root.GetProperty("MaximumRecordAgeInSeconds").GetInt32(),
                BisectBatchOnFunctionError = root.GetProperty("BisectBatchOnFunctionError").GetBoolean(),
                ParallelizationFactor = root.GetProperty("ParallelizationFactor").GetInt32(),
                ReportBatchItemFailures = root.GetProperty("ReportBatchItemFailures").GetBoolean(),
                FilterCriteria = filters,
            };
            EventSourceMapping mapping = new(root.GetProperty("UUID").GetString()!, root.GetProperty("EventSourceArn").GetString()!,
                root.GetProperty("StartingPosition").GetString()!, root.GetProperty("Position").GetInt64(), root.GetProperty("Order").GetInt64())
            {
                Settings = settings,
                LastModified = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("LastModifiedUnixMs").GetInt64()),
                Saving = saving,
                Tags = root.TryGetProperty("Tags", out JsonElement tags)
                    ? tags.EnumerateObject().ToDictionary(t => t.Name, t => t.Value.GetString()!, StringComparer.Ordinal)
                    : new Dictionary<string, string>(),
            };
            mapping.SetState(settings.Enabled ? "Enabled" : "Disabled");
            mapping.SetResult(root.GetProperty("LastProcessingResult").GetString()!);
            return mapping;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new JsonException($"not an event source mapping: {e.Message}", e);
        }
    }
}
