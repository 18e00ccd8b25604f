using Handshake.Composition;
using Handshake.Network.Accounting;

namespace Handshake.EndToEnd.Tests;

public sealed class FunctionConnectionTests
{
    [Fact]
    public async Task A_functions_connections_are_attributed_to_its_environment_and_reported_per_invocation()
    {
        using StoreCallerFunction function = new();
        await using HandshakeServer server = await StartServerAsync(function);
        Assert.Equal(StoreCallerFunction.Name, Assert.Single(server.DeclaredFunctions).Name);

        using HttpClient client = new();
        for (int i = 0; i < 3; i++)
        {
            string tail = await StoreCallerFunction.InvokeAsync(client, server.Endpoint);
            Assert.Contains("New Connections: 1", tail);
        }

        // Sequential invocations reuse the one environment; each opened exactly one connection with two requests.
        Assert.Equal(1, server.Functions.EnvironmentCount(StoreCallerFunction.Name));
        ConnectionReport report = server.Connections.Snapshot();
        FunctionConnections connections = Assert.Single(report.Functions);
        Assert.Equal(StoreCallerFunction.Name, connections.FunctionName);
        EnvironmentConnections environment = Assert.Single(connections.Environments);
        Assert.Equal(3, environment.Totals.Opened);
        Assert.Equal(6, environment.Totals.Requests);
        Assert.Equal(3, server.Connections.NewConnections(environment.AccessKeyId));

        // The host's meter on /metrics: three invocations, one cold start. Whether an environment was frozen between
        // them depends on timing (one with an invocation already waiting when its runtime calls `next` is not frozen,
        // as in Lambda), so freezes and thaws are only bounded; MetricsTests counts them exactly.
        string text = await MetricsAsync(client, server);
        string series = $"{{function=\"{StoreCallerFunction.Name}\"}}";
        Assert.Equal(3, Sample(text, "handshake_lambda_invocations_total" + series));
        Assert.Equal(1, Sample(text, "handshake_lambda_environments_started_total" + series));
        Assert.Contains("# TYPE handshake_lambda_environment_freezes_total counter\n", text);
        long freezes = Sample(text, "handshake_lambda_environment_freezes_total" + series);
        Assert.InRange(freezes, 0, 3);
        Assert.InRange(Sample(text, "handshake_lambda_environment_thaws_total" + series), 0, freezes);
    }

    [Fact]
    public async Task A_reset_environment_keeps_its_access_key_and_its_connections_are_counted_as_the_same_environment()
    {
        using StoreCallerFunction function = new();
        await using HandshakeServer server = await StartServerAsync(function);
        using HttpClient client = new();

        Assert.Contains("New Connections: 1", await StoreCallerFunction.InvokeAsync(client, server.Endpoint));
        // The runtime crashes after its store call: the environment is reset (its connection died with its process).
        Assert.Contains("New Connections: 1\tStatus: error\tError Type: Runtime.ExitError", await StoreCallerFunction.InvokeAsync(client, server.Endpoint, crash: true));
        // The next invocation re-initialises it (no Init Duration) and opens one new connection, under the same key.
        string tail = await StoreCallerFunction.InvokeAsync(client, server.Endpoint);
        Assert.Contains("New Connections: 1", tail);
        Assert.DoesNotContain("Init Duration", tail);

        // One environment throughout, in the host and in the store's accounting: three connections, six requests.
        Assert.Equal(1, server.Functions.EnvironmentCount(StoreCallerFunction.Name));
        FunctionConnections connections = Assert.Single(server.Connections.Snapshot().Functions);
        EnvironmentConnections environment = Assert.Single(connections.Environments);
        Assert.Equal(3, environment.Totals.Opened);
        Assert.Equal(6, environment.Totals.Requests);
        Assert.Equal(3, server.Connections.NewConnections(environment.AccessKeyId));

        // Two process starts (the cold start and the re-init) for the one environment.
        string text = await MetricsAsync(client, server);
        Assert.Equal(2, Sample(text, $"handshake_lambda_environments_started_total{{function=\"{StoreCallerFunction.Name}\"}}"));
    }

    /// <summary>An in-memory server hosting <paramref name="function"/> on a free port.</summary>
    private static Task<HandshakeServer> StartServerAsync(StoreCallerFunction function) =>
        HandshakeServer.StartAsync(new HandshakeServerOptions
        {
            Port = 0,
            InMemory = true,
            DataDirectory = function.Directory,
            ProjectFile = function.ProjectFile,
        }).WaitAsync(HandshakeProcess.Timeout);

    /// <summary>The server's /metrics page (Prometheus text).</summary>
    private static async Task<string> MetricsAsync(HttpClient client, HandshakeServer server)
    {
        using HttpResponseMessage metrics = await client.GetAsync(new Uri(server.Endpoint, "/metrics")).WaitAsync(HandshakeProcess.Timeout);
        return await metrics.Content.ReadAsStringAsync().WaitAsync(HandshakeProcess.Timeout);
    }

    /// <summary>A counter's value; 0 when it has no sample for the series yet (a counter never added to).</summary>
    private static long Sample(string prometheusText, string series)
    {
        string? line = prometheusText.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
