using Handshake.Dynamo;

namespace Handshake.Bench.Servers;

/// <summary>
/// The store alone on Kestrel (DynamoServer) on a durable data directory, in its own process: the Handshake target
/// when the <c>handshake up</c> executable is not available.
/// </summary>
public static class StoreEndpoint
{
    public static async Task<int> RunAsync(string dataDirectory, CancellationToken ct)
    {
        await using var server = await DynamoServer.StartAsync(
            new DynamoServerOptions { Port = 0, Store = new DynamoStoreOptions { DataDirectory = dataDirectory } }, ct);
        await ChildServer.ServeUntilStdinClosesAsync(server.Port, ct);
        return 0;
    }
}
