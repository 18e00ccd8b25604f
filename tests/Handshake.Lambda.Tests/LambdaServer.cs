using System.Net;
using Handshake.Dynamo.Protocol;
using Handshake.Lambda.InvokeApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The Lambda endpoint alone at 127.0.0.1:0, for tests over HTTP with real clients, on the listener <c>handshake up</c>
/// has: the store's event loop answers plain Invoke calls (<see cref="InvokeRoute"/>) and hands every other request to
/// Kestrel (the CloudWatch Logs API's too). <c>kestrelOnly</c> puts the whole endpoint on Kestrel's own transport instead.
/// </summary>
internal sealed class LambdaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LambdaServer(WebApplication app, TestHost test, Uri endpoint, InvokeRoute? route)
    {
        _app = app;
        Test = test;
        Endpoint = endpoint;
        Route = route;
    }

    /// <summary>The event loop's Invoke route; null on Kestrel's transport alone.</summary>
    public InvokeRoute? Route { get; }

    public bool KestrelOnly => Route is null;

    public TestHost Test { get; }

    public Uri Endpoint { get; }

    public static async Task<LambdaServer> StartAsync(FunctionHostOptions? options = null, bool kestrelOnly = false, string? marker = null)
    {
        TestHost test = TestHost.Start(options, marker: marker);
        LambdaHttpEndpoint endpoint = new(test.Host);
        LogsApi.CloudWatchLogsEndpoint logs = new(test.Host);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (kestrelOnly)
        {
            builder.WebHost.UseKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(IPAddress.Loopback, 0);
            });
        }
        else
        {
            // As `up` composes it (no Server header there either).
            builder.WebHost.UseKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(new DynamoListenEndPoint(new IPEndPoint(IPAddress.Loopback, 0), () => null, TimeSpan.FromSeconds(130), route: () => endpoint.Route));
            });
            DynamoTransport.AddTo(builder.Services);
        }

        WebApplication app = builder.Build();
        app.Run(context =>
        {
            // As RequestRouter does it in `up`: a function URL's Host first, whatever the path.
            if (LambdaHttpEndpoint.IsFunctionUrlRequest(context.Request))
            {
                return endpoint.HandleFunctionUrlAsync(context);
            }

            if (context.Request.Path.StartsWithSegments("/_handshake/logs"))
            {
                return endpoint.HandleLogsAsync(context);
            }

            // As `up` hands them over (DynamoHttpEndpoint.OtherServices): the CloudWatch Logs API by its target.
            if (LogsApi.CloudWatchLogsEndpoint.IsLogsTarget(context.Request.Headers["X-Amz-Target"].ToString()))
            {
                return logs.HandleAsync(context);
            }

            if (LambdaHttpEndpoint.IsLambdaRequest(context.Request))
            {
                return endpoint.HandleAsync(context);
            }

            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        await app.StartAsync().WaitAsync(TestHost.Wait);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LambdaServer(app, test, new Uri(address), kestrelOnly ? null : endpoint.Route);
    }

    public HttpClient Client() => new() { BaseAddress = Endpoint, Timeout = TestHost.Wait };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestHost.Wait);
        await _app.DisposeAsync();
        await Test.DisposeAsync();
    }
}
