using Handshake.Dynamo;

namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>How the store keeps its data in a test run.</summary>
public enum StoreMode
{
    InMemory,
    Durable,
}

/// <summary>
/// The store on Kestrel, on 127.0.0.1 port 0, either in memory or on a fresh temporary data directory that is
/// deleted when the test is done. A durable store can be restarted on the same directory.
/// </summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private DynamoServer server;

    private StoreUnderTest(StoreMode mode, DynamoServer server, string? dataDirectory)
    {
        Mode = mode;
        this.server = server;
        DataDirectory = dataDirectory;
    }

    public StoreMode Mode { get; }

    public string? DataDirectory { get; }

    /// <summary>The endpoint as a user would export it: no trailing slash, the port actually bound.</summary>
    public string Endpoint => $"http://127.0.0.1:{server.Port}";

    public static async Task<StoreUnderTest> StartAsync(StoreMode mode)
    {
        var dataDirectory = mode == StoreMode.Durable ? Directory.CreateTempSubdirectory("handshake-oracle-").FullName : null;
        try
        {
            var server = await DynamoServer.StartAsync(Options(dataDirectory)).WaitAsync(StartTimeout);
            return new StoreUnderTest(mode, server, dataDirectory);
        }
        catch
        {
            DeleteDirectory(dataDirectory);
            throw;
        }
    }

    /// <summary>Stops the server and starts a new one on the same data directory (on a new port).</summary>
    public async Task RestartAsync()
    {
        if (DataDirectory is null)
        {
            throw new InvalidOperationException("only a durable store can be restarted");
        }

        await server.DisposeAsync().AsTask().WaitAsync(StartTimeout);
        server = await DynamoServer.StartAsync(Options(DataDirectory)).WaitAsync(StartTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync().AsTask().WaitAsync(StartTimeout);
        DeleteDirectory(DataDirectory);
    }

    private static DynamoServerOptions Options(string? dataDirectory) => new()
    {
        Port = 0,
        Store = dataDirectory is null
            ? new DynamoStoreOptions { InMemory = true }
            : new DynamoStoreOptions { DataDirectory = dataDirectory },
    };

    private static void DeleteDirectory(string? directory)
    {
        if (directory is not null && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
