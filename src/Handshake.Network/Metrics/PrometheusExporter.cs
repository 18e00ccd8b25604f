using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Handshake.Network.Metrics;

/// <summary>
/// Exports System.Diagnostics.Metrics instruments in the Prometheus text format (0.0.4), for <c>/metrics</c>.
/// A MeterListener aggregates in process: counters and up-down counters sum, observable instruments keep their last
/// observation, histograms keep cumulative buckets. prometheus-net (8.2.1) can do this too, but through one
/// process-wide registry, while a server here exports only its own meters (tests run several servers in one process);
/// OpenTelemetry's Prometheus exporter is still prerelease.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] MillisecondBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
    private static readonly double[] SecondBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] CountBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

    private readonly MeterListener _listener;
    private readonly Lock _lock = new();
    private readonly List<InstrumentState> _instruments = [];

    /// <param name="include">Which meters to export, e.g. by name and by Scope.</param>
    public PrometheusExporter(Func<Meter, bool> include)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!include(instrument.Meter))
                {
                    return;
                }

                InstrumentState state = new(instrument);
                lock (_lock)
                {
                    _instruments.Add(state);
                }

                listener.EnableMeasurementEvents(instrument, state);
            },
            MeasurementsCompleted = (instrument, state) =>
            {
                lock (_lock)
                {
                    _instruments.Remove((InstrumentState)state!);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The current values of every exported instrument, in the Prometheus text format.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        InstrumentState[] instruments;
        lock (_lock)
        {
            instruments = [.. _instruments];
        }

        // Instruments of one name from several meter instances form one family.
        SortedDictionary<string, List<InstrumentState>> families = new(StringComparer.Ordinal);
        foreach (InstrumentState state in instruments)
        {
            if (!families.TryGetValue(state.FamilyName, out List<InstrumentState>? family))
            {
                family = [];
                families.Add(state.FamilyName, family);
            }

            family.Add(state);
        }

        StringBuilder text = new();
        foreach ((string name, List<InstrumentState> family) in families)
        {
            InstrumentState first = family[0];
            if (!string.IsNullOrEmpty(first.Instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(first.Instrument.Description)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(first.TypeName).Append('\n');
            foreach (InstrumentState state in family)
            {
                state.WriteSeries(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal static string FamilyNameOf(Instrument instrument)
    {
        StringBuilder name = new(instrument.Name.Length + 16);
        foreach (char c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        string? suffix = instrument.Unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        if (suffix is not null && !name.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            name.Append(suffix);
        }

        return name.ToString();
    }

    internal static double[] BucketsOf(Instrument instrument)
    {
        IReadOnlyList<long>? longAdvice = (instrument as Histogram<long>)?.Advice?.HistogramBucketBoundaries;
        IReadOnlyList<double>? doubleAdvice = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries;
        if (longAdvice is not null)
        {
            double[] bounds = new double[longAdvice.Count];
            for (int i = 0; i < bounds.Length; i++)
            {
                bounds[i] = longAdvice[i];
            }

            return bounds;
        }

        if (doubleAdvice is not null)
        {
            return [.. doubleAdvice];
        }

        return instrument.Unit switch
        {
            "ms" => MillisecondBuckets,
            "s" => SecondBuckets,
            _ => CountBuckets,
        };
    }

    internal static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
