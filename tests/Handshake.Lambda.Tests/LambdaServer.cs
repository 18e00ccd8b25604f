using Handshake.Lambda.InvokeApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.Tests;

/// <summary>The Lambda endpoint alone on Kestrel at 127.0.0.1:0, for tests over HTTP with real clients.</summary>
internal sealed class LambdaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LambdaServer(WebApplication app, TestHost test, Uri endpoint)
    {
        _app = app;
        Test = test;
        Endpoint = endpoint;
    }

    public TestHost Test { get; }

    public Uri Endpoint { get; }

    public static async Task<LambdaServer> StartAsync(FunctionHostOptions? options = null)
    {
        TestHost test = TestHost.Start(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        LambdaHttpEndpoint endpoint = new(test.Host);
        app.Run(context =>
        {
            if (context.Request.Path.StartsWithSegments("/_handshake/logs"))
            {
                return endpoint.HandleLogsAsync(context);
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
        return new LambdaServer(app, test, new Uri(address));
    }

    public HttpClient Client() => new() { BaseAddress = Endpoint, Timeout = TestHost.Wait };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestHost.Wait);
        await _app.DisposeAsync();
        await Test.DisposeAsync();
    }
}
