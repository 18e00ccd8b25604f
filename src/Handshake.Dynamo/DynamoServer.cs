using System.Net;
using Handshake.Dynamo.Protocol;
using Handshake.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Dynamo;

/// <summary>
/// The store alone on Kestrel at 127.0.0.1, for tests and benchmarks. The <c>handshake</c> executable composes the
/// same <see cref="DynamoHttpEndpoint"/> with the other parts on one port instead.
/// </summary>
public sealed class DynamoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DynamoServer(WebApplication app, DynamoStore store, int port)
    {
        _app = app;
        Store = store;
        Port = port;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Endpoint { get; }

    public int Port { get; }

    public DynamoStore Store { get; }

    public static async Task<DynamoServer> StartAsync(DynamoServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var store = DynamoStore.Open(options.Store);
        try
        {
            var endpoint = new DynamoHttpEndpoint(store);
            var builder = WebApplication.CreateSlimBuilder();
            // No ConsoleLifetime: a process that embeds the store keeps its own signals (EmbeddedLifetime.cs).
            EmbeddedLifetime.Use(builder.Services);
            DynamoTransport.AddTo(builder.Services);
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = DynamoHttpEndpoint.MaxRequestBytes;
                if (options.KeepAliveTimeout is { } keepAlive) kestrel.Limits.KeepAliveTimeout = keepAlive;
                var keepAliveTimeout = kestrel.Limits.KeepAliveTimeout;
                kestrel.Listen(new DynamoListenEndPoint(new IPEndPoint(IPAddress.Loopback, options.Port), () => endpoint, keepAliveTimeout));
            });
            var app = builder.Build();
            app.Run(endpoint.HandleAsync);
            await app.StartAsync(ct).ConfigureAwait(false);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            int port = new Uri(addresses.Addresses.First()).Port;
            return new DynamoServer(app, store, port);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
