using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>The host's meter ("Handshake.Lambda"), read the way `up`'s /metrics reads it: with a MeterListener.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Invocations_cold_starts_freezes_thaws_and_throttles_are_counted_per_function()
    {
        // The meter is process-wide and tests run in parallel: these functions' names are this test's own.
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string metered = "metered-" + suffix;
        string refused = "refused-" + suffix;
        using Counts counts = new();
        await using TestHost test = TestHost.Start();
        test.AddBash(metered);
        test.AddBash(refused, reserved: 0);

        for (int i = 0; i < 3; i++)
        {
            Assert.Null((await test.InvokeAsync(metered, "{}")).FunctionError);
            // Frozen once the runtime is back in `next`: the next invocation thaws it.
            await Assert.Single(test.Host.Environments(metered)).WhenFrozen().WaitAsync(TestHost.Wait);
        }

        LambdaException throttled = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync(refused, "{}"));
        Assert.Equal("TooManyRequestsException", throttled.ErrorType);

        ExecutionEnvironment environment = Assert.Single(test.Host.Environments(metered));
        Assert.Equal(3, counts.Of("handshake.lambda.invocations", metered));
        Assert.Equal(1, counts.Of("handshake.lambda.environments.started", metered));
        Assert.Equal(environment.Freezes, counts.Of("handshake.lambda.environment.freezes", metered));
        Assert.Equal(3, counts.Of("handshake.lambda.environment.freezes", metered));
        Assert.Equal(2, counts.Of("handshake.lambda.environment.thaws", metered));
        Assert.Equal(0, counts.Of("handshake.lambda.throttles", metered));

        Assert.Equal(1, counts.Of("handshake.lambda.throttles", refused));
        Assert.Equal(0, counts.Of("handshake.lambda.invocations", refused));
        Assert.Equal(0, counts.Of("handshake.lambda.environments.started", refused));
    }

    /// <summary>Sums of the Handshake.Lambda counters by instrument and function tag.</summary>
    private sealed class Counts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Instrument, string Function), long> _sums = new();

        public Counts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LambdaMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "function" && tag.Value is string function)
                    {
                        _sums.AddOrUpdate((instrument.Name, function), value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Of(string instrument, string function) => _sums.GetValueOrDefault((instrument, function));

        public void Dispose() => _listener.Dispose();
    }
}
