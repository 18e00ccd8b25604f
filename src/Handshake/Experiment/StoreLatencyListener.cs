using System.Diagnostics.Metrics;
using HdrHistogram;

namespace Handshake.Experiment;

/// <summary>
/// The store's own PutItem durations (meter "Handshake.Dynamo", histogram "handshake.dynamodb.request.duration", ms),
/// recorded into the current mode's histogram. Only for a store in this process.
/// </summary>
internal sealed class StoreLatencyListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private LongConcurrentHistogram? _current;

    public StoreLatencyListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Handshake.Dynamo" && instrument.Name == "handshake.dynamodb.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Starts recording into a fresh histogram and returns it.</summary>
    public LongConcurrentHistogram Begin()
    {
        LongConcurrentHistogram histogram = new(1, ModeResult.HighestMicroseconds, 3);
        Volatile.Write(ref _current, histogram);
        return histogram;
    }

    public void End() => Volatile.Write(ref _current, null);

    private void OnMeasurement(Instrument instrument, double milliseconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        LongConcurrentHistogram? histogram = Volatile.Read(ref _current);
        if (histogram is null)
        {
            return;
        }

        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "operation" && tag.Value as string != "PutItem")
            {
                return;
            }
        }

        histogram.RecordValue(Math.Clamp((long)(milliseconds * 1000), 1, ModeResult.HighestMicroseconds));
    }

    public void Dispose() => _listener.Dispose();
}
