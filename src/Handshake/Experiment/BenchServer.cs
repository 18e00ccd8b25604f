using System.Net;
using Handshake.Composition;
using Handshake.Network.Link;

namespace Handshake.Experiment;

/// <summary>
/// The in-process Handshake a bench runs against: store and function host on a durable store, with the functions'
/// store traffic sent straight to the HTTP listener, to the HTTPS listener (--tls), or through the emulated link
/// (--link-rtt, and always with --freeze-gap, whose resets the link counts).
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private BenchServer(HandshakeServer server, EmulatedLink? link)
    {
        Server = server;
        Link = link;
    }

    public HandshakeServer Server { get; }

    public EmulatedLink? Link { get; }

    /// <summary>The port the store's side of the functions' connections ends on (for TIME_WAIT counting).</summary>
    public int StorePort => Server.TlsEndpoint is { } tls && Server.Options.Tls ? tls.Port : Server.Endpoint.Port;

    public static async Task<BenchServer> StartAsync(BenchOptions options, string dataDirectory, BenchRun run, CancellationToken cancellationToken)
    {
        EmulatedLink? link = options.LinkRtt is not null || options.FreezeGap is not null
            ? EmulatedLink.Start(new EmulatedLinkOptions
            {
                RoundTripTime = options.LinkRtt ?? TimeSpan.Zero,
                HoldIdleCloses = options.FreezeGap is not null,
            })
            : null;
        string scheme = options.Tls ? "https" : "http";
        HandshakeServer server;
        try
        {
            server = await HandshakeServer.StartAsync(new HandshakeServerOptions
            {
                Port = 0,
                TlsPort = 0,
                Tls = options.Tls,
                DataDirectory = dataDirectory,
                StoreIdleTimeout = options.StoreIdleTimeout,
                // Through the link the scheme stays the client's: TLS passes through it end to end, handshakes included.
                FunctionStoreEndpoint = s => link is not null
                    ? $"{scheme}://127.0.0.1:{link.Port}"
                    : (options.Tls ? s.TlsEndpoint! : s.Endpoint).GetLeftPart(UriPartial.Authority),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        Uri store = options.Tls ? server.TlsEndpoint! : server.Endpoint;
        run.StoreEndpoint = store.GetLeftPart(UriPartial.Authority);
        if (link is not null)
        {
            link.Upstream = new IPEndPoint(IPAddress.Loopback, store.Port);
            run.StoreEndpoint = $"{scheme}://127.0.0.1:{link.Port} (emulated link) -> {run.StoreEndpoint}";
        }

        return new BenchServer(server, link);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        if (Link is not null)
        {
            await Link.DisposeAsync().ConfigureAwait(false);
        }
    }
}
