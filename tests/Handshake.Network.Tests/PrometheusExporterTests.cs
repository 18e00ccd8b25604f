using System.Diagnostics.Metrics;
using Handshake.Network.Accounting;
using Handshake.Network.Metrics;

namespace Handshake.Network.Tests;

public sealed class PrometheusExporterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Exports_the_connection_metrics_of_its_own_ledger()
    {
        ConnectionLedger ledger = new();
        using PrometheusExporter exporter = new(meter => meter.Scope == ledger);
        await using AccountingServer server = await AccountingServer.StartAsync(ledger);
        using HttpClient client = new() { BaseAddress = server.Endpoint };
        for (int i = 0; i < 5; i++)
        {
            using HttpRequestMessage request = new(HttpMethod.Get, "/");
            request.Headers.ConnectionClose = true;
            using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
        }

        string text = exporter.Scrape();
        Assert.Contains("# TYPE handshake_network_connections_opened_total counter\n", text);
        Assert.Contains("handshake_network_connections_opened_total{network_transport_security=\"none\"} 5\n", text);
        Assert.Contains("# TYPE handshake_network_connections_active gauge\n", text);
        Assert.Contains("# TYPE handshake_network_connection_requests histogram\n", text);
    }

    [Fact]
    public void Formats_counters_gauges_and_histograms_and_ignores_other_meters()
    {
        using Meter meter = new("Handshake.Test.Exported");
        using Meter other = new("Handshake.Test.Ignored");
        using PrometheusExporter exporter = new(m => m == meter);
        Counter<long> invocations = meter.CreateCounter<long>("handshake.lambda.invocations", "{invocation}", "Invocations.");
        Histogram<double> duration = meter.CreateHistogram<double>("handshake.dynamodb.request.duration", "ms", "Request time.");
        int environments = 3;
        meter.CreateObservableGauge("handshake.lambda.environments", () => environments);
        other.CreateCounter<long>("handshake.ignored").Add(1);

        invocations.Add(2, new KeyValuePair<string, object?>("function", "put-record"));
        invocations.Add(3, new KeyValuePair<string, object?>("function", "put-record"));
        invocations.Add(1, new KeyValuePair<string, object?>("function", "say \"hi\""));
        duration.Record(0.2, new KeyValuePair<string, object?>("operation", "PutItem"));
        duration.Record(3, new KeyValuePair<string, object?>("operation", "PutItem"));

        string text = exporter.Scrape();
        Assert.Contains("# HELP handshake_lambda_invocations_total Invocations.\n", text);
        Assert.Contains("handshake_lambda_invocations_total{function=\"put-record\"} 5\n", text);
        Assert.Contains("handshake_lambda_invocations_total{function=\"say \\\"hi\\\"\"} 1\n", text);
        Assert.Contains("# TYPE handshake_dynamodb_request_duration_milliseconds histogram\n", text);
        Assert.Contains("handshake_dynamodb_request_duration_milliseconds_bucket{operation=\"PutItem\",le=\"0.25\"} 1\n", text);
        Assert.Contains("handshake_dynamodb_request_duration_milliseconds_bucket{operation=\"PutItem\",le=\"5\"} 2\n", text);
        Assert.Contains("handshake_dynamodb_request_duration_milliseconds_bucket{operation=\"PutItem\",le=\"+Inf\"} 2\n", text);
        Assert.Contains("handshake_dynamodb_request_duration_milliseconds_sum{operation=\"PutItem\"} 3.2\n", text);
        Assert.Contains("handshake_dynamodb_request_duration_milliseconds_count{operation=\"PutItem\"} 2\n", text);
        Assert.Contains("handshake_lambda_environments 3\n", text);
        Assert.DoesNotContain("handshake_ignored", text);
    }
}
