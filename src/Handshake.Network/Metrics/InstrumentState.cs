using System.Diagnostics.Metrics;
using System.Text;

namespace Handshake.Network.Metrics;

/// <summary>
/// One instrument's series, one per distinct tag set. The measurement path is allocation-free once a tag set has been
/// seen: a linear scan of a copy-on-write array (tag sets here are few: operation names, TLS or not).
/// </summary>
internal sealed class InstrumentState
{
    private readonly Lock _addLock = new();
    private readonly double[]? _bounds;
    private volatile Series[] _series = [];

    public InstrumentState(Instrument instrument)
    {
        Instrument = instrument;
        Type definition = instrument.GetType().GetGenericTypeDefinition();
        IsHistogram = definition == typeof(Histogram<>);
        IsLastValue = definition == typeof(ObservableCounter<>) || definition == typeof(ObservableUpDownCounter<>)
            || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>);
        bool isCounter = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
        TypeName = IsHistogram ? "histogram" : isCounter ? "counter" : "gauge";
        string family = PrometheusExporter.FamilyNameOf(instrument);
        FamilyName = isCounter && !family.EndsWith("_total", StringComparison.Ordinal) ? family + "_total" : family;
        _bounds = IsHistogram ? PrometheusExporter.BucketsOf(instrument) : null;
    }

    public Instrument Instrument { get; }

    public string FamilyName { get; }

    public string TypeName { get; }

    private bool IsHistogram { get; }

    private bool IsLastValue { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Series series = Find(tags) ?? Add(tags);
        lock (series)
        {
            if (IsHistogram)
            {
                series.Count++;
                series.Sum += value;
                double[] bounds = _bounds!;
                int bucket = 0;
                while (bucket < bounds.Length && value > bounds[bucket])
                {
                    bucket++;
                }

                series.Buckets![bucket]++;
            }
            else if (IsLastValue)
            {
                series.Value = value;
            }
            else
            {
                series.Value += value;
            }
        }
    }

    public void WriteSeries(StringBuilder text)
    {
        foreach (Series series in _series)
        {
            lock (series)
            {
                if (!IsHistogram)
                {
                    WriteSample(text, FamilyName, series.Tags, null, series.Value);
                    continue;
                }

                long cumulative = 0;
                for (int i = 0; i < _bounds!.Length; i++)
                {
                    cumulative += series.Buckets![i];
                    WriteSample(text, FamilyName + "_bucket", series.Tags, PrometheusExporter.FormatValue(_bounds[i]), cumulative);
                }

                WriteSample(text, FamilyName + "_bucket", series.Tags, "+Inf", series.Count);
                WriteSample(text, FamilyName + "_sum", series.Tags, null, series.Sum);
                WriteSample(text, FamilyName + "_count", series.Tags, null, series.Count);
            }
        }
    }

    private static void WriteSample(StringBuilder text, string name, KeyValuePair<string, object?>[] tags, string? le, double value)
    {
        text.Append(name);
        if (tags.Length > 0 || le is not null)
        {
            text.Append('{');
            bool first = true;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                AppendLabel(text, ref first, tag.Key, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }

            if (le is not null)
            {
                AppendLabel(text, ref first, "le", le);
            }

            text.Append('}');
        }

        text.Append(' ').Append(PrometheusExporter.FormatValue(value)).Append('\n');
    }

    private static void AppendLabel(StringBuilder text, ref bool first, string key, string value)
    {
        if (!first)
        {
            text.Append(',');
        }

        first = false;
        foreach (char c in key)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        text.Append("=\"");
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }

    private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (Series series in _series)
        {
            if (series.Matches(tags))
            {
                return series;
            }
        }

        return null;
    }

    private Series Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_addLock)
        {
            if (Find(tags) is { } existing)
            {
                return existing;
            }

            Series series = new(tags.ToArray(), IsHistogram ? new long[_bounds!.Length + 1] : null);
            _series = [.. _series, series];
            return series;
        }
    }

    private sealed class Series(KeyValuePair<string, object?>[] tags, long[]? buckets)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public long[]? Buckets { get; } = buckets;

        public double Value { get; set; }

        public double Sum { get; set; }

        public long Count { get; set; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Tags.Length)
            {
                return false;
            }

            for (int i = 0; i < tags.Length; i++)
            {
                if (!string.Equals(tags[i].Key, Tags[i].Key, StringComparison.Ordinal) || !Equals(tags[i].Value, Tags[i].Value))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
