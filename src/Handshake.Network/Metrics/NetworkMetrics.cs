using System.Diagnostics.Metrics;
using Handshake.Network.Accounting;

namespace Handshake.Network.Metrics;

/// <summary>The "Handshake.Network" meter: recorded at connection open and close, never per request.</summary>
public sealed class NetworkMetrics : IDisposable
{
    public const string MeterName = "Handshake.Network";

    private static readonly KeyValuePair<string, object?> Http = new("network.transport.security", "none");
    private static readonly KeyValuePair<string, object?> Https = new("network.transport.security", "tls");

    private readonly Counter<long> _opened;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<long> _requestsPerConnection;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;

    internal NetworkMetrics(object scope)
    {
        Meter = new Meter(new MeterOptions(MeterName) { Scope = scope });
        _opened = Meter.CreateCounter<long>("handshake.network.connections.opened", "{connection}",
            "TCP connections accepted by the endpoint.");
        _active = Meter.CreateUpDownCounter<long>("handshake.network.connections.active", "{connection}",
            "TCP connections open now.");
        _requestsPerConnection = Meter.CreateHistogram<long>("handshake.network.connection.requests", "{request}",
            "Requests served per TCP connection, recorded when the connection closes.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 100, 1_000, 10_000, 100_000] });
        _bytesIn = Meter.CreateCounter<long>("handshake.network.bytes.received", "By",
            "Bytes read from closed connections.");
        _bytesOut = Meter.CreateCounter<long>("handshake.network.bytes.sent", "By",
            "Bytes written to closed connections.");
    }

    public Meter Meter { get; }

    internal void Opened(bool isTls)
    {
        KeyValuePair<string, object?> security = isTls ? Https : Http;
        _opened.Add(1, security);
        _active.Add(1, security);
    }

    internal void Closed(ConnectionRecord record)
    {
        KeyValuePair<string, object?> security = record.IsTls ? Https : Http;
        _active.Add(-1, security);
        _requestsPerConnection.Record(record.Requests, security);
        _bytesIn.Add(record.BytesIn, security);
        _bytesOut.Add(record.BytesOut, security);
    }

    public void Dispose() => Meter.Dispose();
}
