using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Handshake.Dynamo.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task RequestDurationsAreRecordedPerKnownOperation()
    {
        var operations = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Handshake.Dynamo" && instrument.Name == "handshake.dynamodb.request.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "operation") operations.Add((string)tag.Value!);
        });
        listener.Start();

        var fixture = new ServerFixture();
        await fixture.InitializeAsync();
        try
        {
            await fixture.PostAsync("ListTables", "{}");
            await fixture.PostAsync("ListTables", "{}");
            await fixture.PostAsync("Random" + Guid.NewGuid().ToString("N"), "{}");
        }
        finally
        {
            await fixture.DisposeAsync();
        }

        // Other tests' servers run in parallel and record too, so count only what this test can attribute.
        Assert.True(operations.Count(o => o == "ListTables") >= 2);
        Assert.DoesNotContain(operations, o => o.StartsWith("Random", StringComparison.Ordinal));
        Assert.Contains("Unknown", operations);
    }
}
