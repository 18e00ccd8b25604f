using System.Net;
using Handshake.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Bench.Servers;

/// <summary>
/// The HTTP limit of this machine: Kestrel on 127.0.0.1 answering every request with <c>{}</c>, configured like the
/// store's server (no logging, no Server header), run as a separate process like every other target.
/// </summary>
public static class BareEndpoint
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        EmbeddedLifetime.Use(builder.Services);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        await using var app = builder.Build();
        app.Run(static context =>
        {
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.ContentLength = EmptyObject.Length;
            return context.Response.Body.WriteAsync(EmptyObject, 0, EmptyObject.Length, context.RequestAborted);
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await ChildServer.ServeUntilStdinClosesAsync(new Uri(address).Port, ct);
        await app.StopAsync(CancellationToken.None);
        return 0;
    }
}
