using System.Net;
using System.Security.Cryptography.X509Certificates;
using Handshake.Network.Accounting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Handshake.Network.Tests;

/// <summary>A real Kestrel on 127.0.0.1:0 with the accounting middleware, answering every request with "{}".</summary>
internal sealed class AccountingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AccountingServer(WebApplication app, ConnectionLedger ledger, Uri endpoint)
    {
        _app = app;
        Ledger = ledger;
        Endpoint = endpoint;
    }

    public ConnectionLedger Ledger { get; }

    public Uri Endpoint { get; }

    public static async Task<AccountingServer> StartAsync(ConnectionLedger ledger, X509Certificate2? certificate = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.UseConnectionAccounting(ledger, isTls: certificate is not null);
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        WebApplication app = builder.Build();
        app.Run(context =>
        {
            ledger.OnRequest(context);
            return context.Response.WriteAsync("{}");
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AccountingServer(app, ledger, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        Ledger.Dispose();
    }
}
