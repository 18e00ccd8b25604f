using System.Text.Json;
using Handshake.Lambda.EventSources;

namespace Handshake.Lambda.InvokeApi;

/// <summary>Lambda's EventSourceMappingConfiguration, as the five event source mapping operations return it.</summary>
internal static class EventSourceMappingJson
{
    public static void Write(Utf8JsonWriter writer, FunctionHost host, EventSourceMappingView mapping)
    {
        EventSourceMappingSettings settings = mapping.Settings;
        writer.WriteStartObject();
        writer.WriteString("UUID", mapping.Uuid);
        writer.WriteString("StartingPosition", mapping.StartingPosition);
        writer.WriteNumber("BatchSize", settings.BatchSize);
        writer.WriteNumber("MaximumBatchingWindowInSeconds", settings.MaximumBatchingWindowInSeconds);
        writer.WriteNumber("ParallelizationFactor", settings.ParallelizationFactor);
        writer.WriteString("EventSourceArn", mapping.EventSourceArn);
        writer.WriteString("FunctionArn", host.Arn(settings.QualifiedName));
        // A timestamp in Lambda's REST-JSON protocol: epoch seconds, as a number with milliseconds.
        writer.WriteNumber("LastModified", mapping.LastModified.ToUnixTimeMilliseconds() / 1000.0);
        writer.WriteString("LastProcessingResult", mapping.LastProcessingResult);
        writer.WriteString("State", mapping.State);
        writer.WriteString("StateTransitionReason", "User action");
        if (settings.FilterCriteria is { } criteria)
        {
            // Echoed as set: {} when given without Filters, else each Pattern as the caller wrote it.
            writer.WriteStartObject("FilterCriteria");
            if (criteria.Patterns is { } patterns)
            {
                writer.WriteStartArray("Filters");
                foreach (string pattern in patterns)
                {
                    writer.WriteStartObject();
                    writer.WriteString("Pattern", pattern);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteStartObject("DestinationConfig");
        writer.WriteStartObject("OnFailure");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteNumber("MaximumRecordAgeInSeconds", settings.MaximumRecordAgeInSeconds);
        writer.WriteBoolean("BisectBatchOnFunctionError", settings.BisectBatchOnFunctionError);
        writer.WriteNumber("MaximumRetryAttempts", settings.MaximumRetryAttempts);
        writer.WriteNumber("TumblingWindowInSeconds", 0);
        writer.WriteStartArray("FunctionResponseTypes");
        if (settings.ReportBatchItemFailures)
        {
            writer.WriteStringValue("ReportBatchItemFailures");
        }

        writer.WriteEndArray();
        writer.WriteString("EventSourceMappingArn", $"arn:aws:lambda:{host.Options.Region}:{host.Options.AccountId}:event-source-mapping:{mapping.Uuid}");
        writer.WriteEndObject();
    }
}
