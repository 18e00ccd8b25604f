using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Handshake.Dynamo;

/// <summary>The store's metrics: meter "Handshake.Dynamo", one request-duration histogram tagged by operation.</summary>
internal static class DynamoMetrics
{
    public const string MeterName = "Handshake.Dynamo";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "handshake.dynamodb.request.duration", unit: "ms", description: "Time to handle one DynamoDB API request.");

    public static void RecordRequest(string operation, long startTimestamp)
    {
        if (!RequestDuration.Enabled) return;
        RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds,
            new KeyValuePair<string, object?>("operation", operation));
    }
}
