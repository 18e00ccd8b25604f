using Handshake.Composition;
using Handshake.Network.Accounting;

namespace Handshake.EndToEnd.Tests;

public sealed class FunctionConnectionTests
{
    [Fact]
    public async Task A_functions_connections_are_attributed_to_its_environment_and_reported_per_invocation()
    {
        using StoreCallerFunction function = new();
        await using HandshakeServer server = await HandshakeServer.StartAsync(new HandshakeServerOptions
        {
            Port = 0,
            InMemory = true,
            DataDirectory = function.Directory,
            ProjectFile = function.ProjectFile,
        }).WaitAsync(HandshakeProcess.Timeout);
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
    }
}
