using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Handshake.Composition;

namespace Handshake.EndToEnd.Tests;

/// <summary>The composed server in-process on 127.0.0.1:0 with an in-memory store, and SDK clients for it.</summary>
internal static class ComposedServer
{
    public static Task<HandshakeServer> StartAsync(TimeSpan? storeIdleTimeout = null, bool tls = false, string? dataDirectory = null) =>
        HandshakeServer.StartAsync(new HandshakeServerOptions
        {
            Port = 0,
            InMemory = true,
            Tls = tls,
            TlsPort = 0,
            DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "handshake-e2e-unused"),
            StoreIdleTimeout = storeIdleTimeout,
        }).WaitAsync(HandshakeProcess.Timeout);

    /// <summary>A client whose access key names it in the connection accounting.</summary>
    public static AmazonDynamoDBClient Client(HandshakeServer server, string accessKeyId) =>
        new(new BasicAWSCredentials(accessKeyId, "secret"),
            new AmazonDynamoDBConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
}
