using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// One environment's Runtime API: a small Kestrel server on 127.0.0.1:0, since a runtime client knows only host:port
/// (AWS_LAMBDA_RUNTIME_API). Kestrel is used bare (no host builder) to keep it cheap on the cold-start path.
/// </summary>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private static readonly IServiceProvider EmptyServices = new ServiceCollection().BuildServiceProvider();
    private readonly KestrelServer _server;

    private RuntimeApiServer(KestrelServer server, string address)
    {
        _server = server;
        Address = address;
    }

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; }

    public static async Task<RuntimeApiServer> StartAsync(ExecutionEnvironment session, IConnectionListenerFactory transport, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        KestrelServerOptions options = new() { AddServerHeader = false, ApplicationServices = EmptyServices };
        // Bodies are limited by the handlers (6 MB + 100 bytes, answered 413), not by Kestrel.
        options.Limits.MaxRequestBodySize = null;
        // A frozen runtime sends nothing for minutes: no data-rate or header timeouts may end its connection.
        options.Limits.MinRequestBodyDataRate = null;
        options.Limits.MinResponseDataRate = null;
        options.Limits.KeepAliveTimeout = TimeSpan.FromDays(1);
        options.Listen(IPAddress.Loopback, 0);
        KestrelServer server = new(Options.Create(options), transport, loggerFactory);
        await server.StartAsync(new Application(new RuntimeApiHandler(session)), cancellationToken).ConfigureAwait(false);
        string url = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RuntimeApiServer(server, new Uri(url).Authority);
    }

    public async ValueTask DisposeAsync()
    {
        using CancellationTokenSource quick = new(TimeSpan.FromSeconds(1));
        try
        {
            await _server.StopAsync(quick.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _server.Dispose();
    }

    private sealed class Application(RuntimeApiHandler handler) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => handler.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
