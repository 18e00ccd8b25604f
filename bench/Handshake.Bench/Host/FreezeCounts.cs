using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Handshake.Lambda;

namespace Handshake.Bench.Host;

/// <summary>
/// How many times a function's environments were frozen, from the host's own meter: in this process through a
/// MeterListener, in `handshake up` from its /metrics. A sequential client can send its next invocation before the
/// runtime is back in `next`; the host then hands it over without a freeze and a thaw, as Lambda does, and that
/// invocation is cheaper. Freezes per invocation say which kind of warm invocation a row measured.
/// </summary>
internal sealed class FreezeCounts : IDisposable
{
    private const string Instrument = "handshake.lambda.environment.freezes";
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byFunction = new();

    public FreezeCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LambdaMetrics.MeterName && instrument.Name == Instrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "function" && tag.Value is string function)
                {
                    _byFunction.AddOrUpdate(function, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Freezes so far of <paramref name="function"/>'s environments in this process.</summary>
    public long InProcess(string function) => _byFunction.GetValueOrDefault(function);

    /// <summary>Freezes so far of <paramref name="function"/>'s environments in the `up` at <paramref name="endpoint"/>.</summary>
    /// <remarks>
    /// On a connection of its own, closed after the answer: `up` serves /metrics through Kestrel, and a connection that
    /// once carried a request the store's event loop does not serve stays with Kestrel. Through the timed client's pool,
    /// the invocations after a scrape would ride that connection and be measured through the wrong path.
    /// </remarks>
    public static async Task<long> ScrapeAsync(Uri endpoint, string function)
    {
        using HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        using HttpRequestMessage request = new(HttpMethod.Get, new Uri(endpoint, "/metrics"));
        request.Headers.ConnectionClose = true;
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        string series = $"handshake_lambda_environment_freezes_total{{function=\"{function}\"}} ";
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(series.Length), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public void Dispose() => _listener.Dispose();
}
