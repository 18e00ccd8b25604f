using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Handshake.Composition;
using Handshake.Network.SigV4;

namespace Handshake.EndToEnd.Tests;

/// <summary>The composed server in-process on 127.0.0.1:0 with an in-memory store, and SDK clients for it.</summary>
internal static class ComposedServer
{
    /// <param name="auth">Strict knows the key `handshake up` prints, as `up --auth strict` does.</param>
    public static Task<HandshakeServer> StartAsync(TimeSpan? storeIdleTimeout = null, bool tls = false, string? dataDirectory = null, AuthMode auth = AuthMode.Off) =>
        HandshakeServer.StartAsync(new HandshakeServerOptions
        {
            Port = 0,
            InMemory = true,
            Tls = tls,
            TlsPort = 0,
            DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "handshake-e2e-unused"),
            StoreIdleTimeout = storeIdleTimeout,
            Auth = auth,
            Credentials = new Dictionary<string, string>(StringComparer.Ordinal) { [Handshake.Commands.UpCommand.AccessKeyId] = Handshake.Commands.UpCommand.SecretAccessKey },
        }).WaitAsync(HandshakeProcess.Timeout);

    /// <summary>A client whose access key names it in the connection accounting.</summary>
    public static AmazonDynamoDBClient Client(HandshakeServer server, string accessKeyId) =>
        new(new BasicAWSCredentials(accessKeyId, "secret"),
            new AmazonDynamoDBConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
}
