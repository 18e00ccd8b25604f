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
    private BenchServer(HandshakeServer server, EmulatedLink? link, string functionStoreEndpoint)
    {
        Server = server;
        Link = link;
        FunctionStoreEndpoint = functionStoreEndpoint;
    }

    /// <summary>Where this mode's functions reached the store: direct, TLS, or the emulated link and what it forwards to.</summary>
    public string FunctionStoreEndpoint { get; }

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

        // From here the server and the link are this method's until BenchServer owns them: a failure (a leftover
        // function whose delete cannot be saved, say) must not leave the server listening and its functions running.
        try
        {
            Uri store = options.Tls ? server.TlsEndpoint! : server.Endpoint;
            string functionStoreEndpoint = store.GetLeftPart(UriPartial.Authority);
            if (link is not null)
            {
                link.Upstream = new IPEndPoint(IPAddress.Loopback, store.Port);
                functionStoreEndpoint = $"{scheme}://127.0.0.1:{link.Port} (emulated link) -> {functionStoreEndpoint}";
            }

            if (run.Notes.Count == 0)
            {
                AddNotes(options, run, server);
            }

            DeleteLeftoverFunctions(server);
            return new BenchServer(server, link, functionStoreEndpoint);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// A bench killed before its cleanup left its functions in the data directory's lambda.db, which the next start
    /// brings back (README "Lambda state across restarts"). They would hold reserved concurrency this run needs, so the
    /// bench's own functions of earlier runs go first. Only in the bench's own server: `--endpoint` is someone else's.
    /// </summary>
    private static void DeleteLeftoverFunctions(HandshakeServer server)
    {
        foreach (Handshake.Lambda.Functions.FunctionDefinition function in server.Functions.ListFunctions())
        {
            if (function.Name.StartsWith(BenchRunner.FunctionPrefix, StringComparison.Ordinal))
            {
                server.Functions.DeleteFunction(function.Name);
            }
        }
    }

    private static void AddNotes(BenchOptions options, BenchRun run, HandshakeServer server)
    {
        if (options.Tls)
        {
            run.Notes.Add("TLS: the functions' store traffic used the HTTPS listener (self-signed certificate, trusted through NODE_EXTRA_CA_CERTS and SSL_CERT_FILE), so every new connection paid a real TLS handshake.");
        }

        if (options.LinkRtt is { } rtt)
        {
            run.Notes.Add($"EMULATED LINK: the functions' store traffic went through a relay in this process that adds {rtt.TotalMilliseconds:0.###} ms per request/response exchange " +
                "and once more per TCP handshake (TLS handshake messages pay it per exchange as well), timed by a high-resolution kernel timer (timerfd): never less than that; " +
                "the relay's own forwarding adds a few tenths of a millisecond per exchange. " +
                "These latencies project what such a round-trip time would do; they were not measured across a real network.");
        }

        if (options.FreezeGap is { } gap)
        {
            TimeSpan idle = server.Options.StoreIdleTimeout ?? TimeSpan.FromSeconds(130);
            run.Notes.Add($"Freeze gap: the invocations ran in {options.Gaps + 1} bursts separated by {gap.TotalSeconds:0.###} s pauses in which every environment stayed frozen (SIGSTOP, real); " +
                $"the store closed connections idle for {idle.TotalSeconds:0.###} s (real). EMULATED: a stopped process's kernel still acknowledges that close, which a paused Lambda microVM does not, " +
                "so the emulated link in front of the store held back the close of an idle connection and answered the next write on it with a reset (RST). 'Resets' counts those; " +
                "'retried' counts the resets that did not become an invocation error (the SDK retried on a new connection); 'extra handshakes' are connections beyond one per environment." +
                (idle >= gap ? " The store's idle timeout is not shorter than the gap, so no socket was expected to go stale." : ""));
        }
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
