using System.Net;
using System.Security.Cryptography.X509Certificates;
using Handshake.Dynamo;
using Handshake.Dynamo.Protocol;
using Handshake.Hosting;
using Handshake.Lambda;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;
using Handshake.Lambda.InvokeApi;
using Handshake.Lambda.LogsApi;
using Handshake.Network.Accounting;
using Handshake.Network.Metrics;
using Handshake.Network.SigV4;
using Handshake.Network.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Handshake.Composition;

/// <summary>
/// The whole of Handshake on one Kestrel endpoint on 127.0.0.1: the Lambda APIs, the admin routes, and the store for
/// everything else. A library, so that tests start it in-process on port 0; <c>handshake up</c> is a thin shell over it.
/// </summary>
public sealed class HandshakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly PrometheusExporter _exporter;
    private readonly X509Certificate2? _certificate;
    private int _disposed;

    // DATA/handshake.lock, held exclusively (flock) while this server runs; null in memory.
    private FileStream? _dataLock;

    private HandshakeServer(WebApplication app, DynamoStore store, ConnectionLedger ledger, PrometheusExporter exporter,
        X509Certificate2? certificate, HandshakeServerOptions options)
    {
        _app = app;
        Store = store;
        Connections = ledger;
        _exporter = exporter;
        _certificate = certificate;
        Options = options;
    }

    public HandshakeServerOptions Options { get; }

    /// <summary>The plain-HTTP endpoint, e.g. http://127.0.0.1:4566/.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The HTTPS endpoint when TLS is on.</summary>
    public Uri? TlsEndpoint { get; private set; }

    public int Port => Endpoint.Port;

    /// <summary>The PEM copy of the self-signed certificate, for clients to trust (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS).</summary>
    public string? CertificatePemPath { get; private set; }

    public DynamoStore Store { get; }

    /// <summary>The function host; its environments get this endpoint as AWS_ENDPOINT_URL(_DYNAMODB).</summary>
    public FunctionHost Functions { get; private set; } = null!;

    /// <summary>The functions declared from <see cref="HandshakeServerOptions.ProjectFile"/> at start.</summary>
    public IReadOnlyList<FunctionDefinition> DeclaredFunctions { get; private set; } = [];

    public ConnectionLedger Connections { get; }

    /// <summary>
    /// Opens the store, starts listening, then starts the function host. Throws <see cref="DynamoStoreOpenException"/>
    /// for a damaged database, <see cref="HandshakeStartException"/> when a port is taken and
    /// <see cref="ProjectFileException"/> for a bad handshake.json; each carries a one-line message.
    /// </summary>
    public static async Task<HandshakeServer> StartAsync(HandshakeServerOptions options, CancellationToken cancellationToken = default)
    {
        string dataDirectory = Path.GetFullPath(options.DataDirectory);

        // One server per data directory: a second `up` on the same one would open the same SQLite files beside the first
        // and serve its own in-memory catalog, so that a table one creates is not there in the other. Held until dispose.
        FileStream? dataLock = options.InMemory ? null : LockDataDirectory(dataDirectory);

        // The store opens on the other core while Kestrel is being built: together they are most of the time to the
        // first request.
        Task<DynamoStore> opening = Task.Run(() => DynamoStore.Open(new DynamoStoreOptions
        {
            DataDirectory = options.InMemory ? null : dataDirectory,
            InMemory = options.InMemory,
            Clock = options.Clock,
            Region = options.Region,
            AccountId = options.AccountId,
        }), cancellationToken);

        object scope = new();
        ConnectionLedger ledger = new(new ConnectionLedgerOptions { Clock = options.Clock, MeterScope = scope });

        // This server's network meter, and every other Handshake meter in the process (the store's, the host's).
        PrometheusExporter exporter = new(meter => meter.Name == NetworkMetrics.MeterName
            ? meter.Scope == scope
            : meter.Name.StartsWith("Handshake.", StringComparison.Ordinal));
        X509Certificate2? certificate = null;
        WebApplication? app = null;
        HandshakeServer? server = null;
        try
        {
            string? pemPath = null;
            if (options.Tls)
            {
                certificate = SelfSignedCertificate.LoadOrCreate(dataDirectory, options.Clock);
                pemPath = SelfSignedCertificate.WritePem(certificate, dataDirectory);
            }

            DynamoHttpEndpoint? storeEndpoint = null;
            RequestRouter? router = null;
            app = Build(options, ledger, certificate, () => storeEndpoint, () => router?.Lambda?.Route);
            DynamoStore store = await opening.ConfigureAwait(false);
            HandshakeServer? started = null;
            Func<string, SigV4Credentials?> known = KnownCredentials(options, () => started?.Functions);
            bool strict = options.Auth == AuthMode.Strict;
            // CloudWatch Logs shares POST / with the store: the store asks the router about targets that are not its own.
            storeEndpoint = new DynamoHttpEndpoint(store)
            {
                Authenticator = strict ? StoreAuthenticator(known, options.Clock) : null,
                OtherServices = target => router?.OtherService(target),
            };
            router = new(ledger, new AdminEndpoint(ledger, exporter), storeEndpoint)
            {
                Strict = strict ? new StrictAuthentication(known, options.Clock) : null,
            };
            app.Run(router.HandleAsync);
            server = started = new(app, store, ledger, exporter, certificate, options) { CertificatePemPath = pemPath, _dataLock = dataLock };
            await StartListeningAsync(app, options, cancellationToken).ConfigureAwait(false);
            server.ReadAddresses();
            server.StartFunctionHost(router, dataDirectory);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            certificate?.Dispose();
            exporter.Dispose();
            ledger.Dispose();
            dataLock?.Dispose();
            try
            {
                await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception) when (opening.IsFaulted || opening.IsCanceled)
            {
                // The store did not open; if that is the failure being reported, it is rethrown below.
            }

            throw;
        }
    }

    // Strict auth knows the configured keys and the live environments' keys; the host starts after the endpoint, so
    // it is looked up per request, and a key stops working the moment its environment is gone.
    private static Func<string, SigV4Credentials?> KnownCredentials(HandshakeServerOptions options, Func<FunctionHost?> host) => accessKeyId =>
    {
        if (options.Credentials.TryGetValue(accessKeyId, out string? secret))
        {
            return new SigV4Credentials(secret);
        }

        return host() is { } functions && functions.TryGetCredentials(accessKeyId, out string environmentSecret, out string token)
            ? new SigV4Credentials(environmentSecret, token)
            : null;
    };

    private static Func<HttpRequest, ReadOnlyMemory<byte>, DynamoException?> StoreAuthenticator(Func<string, SigV4Credentials?> known, TimeProvider clock)
    {
        SigV4Verifier verifier = new(known, "dynamodb", clock);
        return (request, body) => verifier.Verify(request, body.Span) is { } failure ? new DynamoException(failure.Code, failure.Message) : null;
    }

    private static WebApplication Build(HandshakeServerOptions options, ConnectionLedger ledger, X509Certificate2? certificate, Func<DynamoHttpEndpoint?> storeEndpoint,
        Func<IPlainRoute?> invokeRoute)
    {
        // The empty builder: no configuration sources, no logging providers, no routing. Startup time and the store's
        // per-request budget both go to Kestrel and the store alone.
        // Kestrel's own connections (handed over by the store's event loop, and TLS) keep default socket scheduling, not
        // UnsafePreferInlineScheduling (which the Runtime API servers use): inline, every request runs on the one
        // socket-engine thread a 2-core machine has (measured 21:33-21:38 UTC: GetItem x32 27-34k req/s inline vs 34-49k
        // default), while the warm Invoke p50 gained nothing measurable (JIT 353-398 vs 378-382 µs).
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        DynamoTransport.AddTo(builder.Services);
        // The generic host's default lifetime, ConsoleLifetime, takes SIGINT, SIGTERM and SIGQUIT for the whole process
        // and cancels them, only to ask a host stop that nothing here waits for: a process embedding this server (the
        // tests, a user's program) lost its signals to it. Who starts the server stops it (DisposeAsync); `up` takes its
        // signals itself (Experiment/StopSignal.cs). EmbeddedLifetime.cs says more.
        EmbeddedLifetime.Use(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DynamoHttpEndpoint.MaxRequestBytes;
            if (options.StoreIdleTimeout is { } idle)
            {
                kestrel.Limits.KeepAliveTimeout = idle;
            }

            IPAddress address = IPAddress.Parse(options.Host);
            TimeSpan keepAliveTimeout = kestrel.Limits.KeepAliveTimeout;
            // The store's plain requests and plain Invoke calls are answered by the store's event loop; anything else
            // goes on to Kestrel's HTTP.
            DynamoListenEndPoint store = new(new IPEndPoint(address, options.Port), storeEndpoint, keepAliveTimeout, new LedgerConnectionObserver(ledger), invokeRoute);
            kestrel.Listen(store, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseConnectionAccounting(ledger, isTls: false);
            });
            if (certificate is not null)
            {
                kestrel.Listen(address, options.TlsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.UseConnectionAccounting(ledger, isTls: true);
                    listen.UseHttps(certificate);
                });
            }
        });
        return builder.Build();
    }

    private static async Task StartListeningAsync(WebApplication app, HandshakeServerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            int port = e.Message.Contains($":{options.TlsPort}", StringComparison.Ordinal) && options.Tls && options.TlsPort != 0
                ? options.TlsPort
                : options.Port;
            throw new HandshakeStartException($"port {port} on {options.Host} is already in use (choose another with --port{(port == options.Port ? "" : " / --tls-port")})", e);
        }
        catch (Exception e) when (SocketError(e) is { } socket)
        {
            // Any other refusal to bind: an address that is not this machine's (--host 10.0.0.9: "Cannot assign
            // requested address"), a privileged port without the right to it ("Permission denied"). One line, not the
            // bind's stack trace.
            string ports = options.Tls ? $"ports {options.Port} and {options.TlsPort}" : $"port {options.Port}";
            throw new HandshakeStartException($"cannot listen on {options.Host} {ports}: {socket.Message} (--host takes an address of this machine)", e);
        }
    }

    private static System.Net.Sockets.SocketException? SocketError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    private static readonly FunctionHostOptions HostDefaults = new();

    // The host starts after Kestrel because its environments need the endpoint's bound port (port 0 in tests).
    private void StartFunctionHost(RequestRouter router, string dataDirectory)
    {
        try
        {
            Functions = NewFunctionHost(dataDirectory);
        }
        catch (Exception e) when (e is Handshake.Lambda.Persistence.LambdaStateException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The saved Lambda state (DATA/lambda/lambda.db) cannot be read: `up` stops with the file named rather
            // than start without the functions the user deployed.
            throw new HandshakeStartException(e is Microsoft.Data.Sqlite.SqliteException
                ? $"{Path.Combine(dataDirectory, "lambda", "lambda.db")}: cannot open the saved Lambda state ({e.Message})"
                : e.Message, e);
        }

        FunctionHost host = Functions;
        Connections.Resolver = accessKeyId =>
            host.TryGetEnvironment(accessKeyId, out ExecutionEnvironmentIdentity id) ? (id.FunctionName, id.EnvironmentId) : null;
        if (Options.ProjectFile is { } projectFile)
        {
            DeclaredFunctions = host.LoadProjectFile(projectFile);
        }

        router.CloudWatchLogs = new CloudWatchLogsEndpoint(host);
        router.Lambda = router.Strict is { } strict
            ? new LambdaHttpEndpoint(host) { FunctionUrlAuthorizer = strict.AuthorizeFunctionUrl }
            : new LambdaHttpEndpoint(host);

        // The functions are declared and the Lambda API routed: the saved mappings and queued Event invocations may
        // run (FunctionHost.Resume.cs), and a restored invocation that calls the Lambda API finds it.
        host.ResumeSavedWork();
    }

    private FunctionHost NewFunctionHost(string dataDirectory) =>
        new(new FunctionHostOptions
        {
            StoreEndpoint = Options.FunctionStoreEndpoint?.Invoke(this) ?? Endpoint.GetLeftPart(UriPartial.Authority),
            Region = Options.Region,
            AccountId = Options.AccountId,
            Clock = Options.Clock,
            AccountConcurrencyLimit = Options.AccountConcurrencyLimit ?? FunctionHostOptions.DefaultAccountConcurrencyLimit,
            MaxQueuedInvocationsPerFunction = Options.MaxQueuedInvocationsPerFunction ?? HostDefaults.MaxQueuedInvocationsPerFunction,
            IdleTimeout = Options.EnvironmentIdleTimeout ?? HostDefaults.IdleTimeout,
            DataDirectory = Options.InMemory ? null : Path.Combine(dataDirectory, "lambda"),
            NewConnectionsByAccessKey = Connections.NewConnections,
            Streams = Store.StreamFeed,
        });

    private void ReadAddresses()
    {
        foreach (string address in _app.Urls)
        {
            Uri uri = new(address);
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                TlsEndpoint = uri;
            }
            else
            {
                Endpoint = uri;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Each step below is bounded, by its own bound or by what it waits for, so none is given a timeout from here.
        // Their sum could pass `up`'s forced exit (StopSignal, 10 s after the signal) only when something is already
        // wrong (an environment that outlives its SIGKILL, a busy event loop): the process then ends with the store's
        // close unfinished, which loses no acknowledged write (each is in the WAL before its 200, as kill -9 shows).
        //
        // Environments first (their invocations fail fast instead of holding requests open). FunctionHost.DisposeAsync
        // bounds each of its waits (environments 10 s, though each is SIGKILLed 300 ms after its SIGTERM; queued Event
        // invocations 5 s; stream pollers 5 s; the log writer 2 s). Its first step, the idle reaper's timer, waits only
        // for a reaping pass in progress, which cannot hang: the pass moves idle environments out under the pools'
        // locks and starts their shutdowns without waiting for them. A bound from here would return with environment
        // processes still running, which is what this dispose promises not to do.
        if (Functions is not null)
        {
            await Functions.DisposeAsync().ConfigureAwait(false);
        }

        // Then stop accepting and drain in-flight requests before the store closes under them. A request that does not
        // finish in the drain (a client that stopped sending mid-body, a TLS handshake never finished) is aborted by
        // Kestrel, which waits at most a second more for it; the store's event loops are joined for at most 5 s, all
        // together. Plain requests still arriving on the event loops are cut at once (they close with their loop): neither is an
        // acknowledged write, so neither is lost. What the drain cut off is said (`up`: on stderr); a drain that ran out
        // is taken to mean that, though a loop busy past it would also let it run out.
        using (CancellationTokenSource drain = new(DrainTimeout))
        {
            await _app.StopAsync(drain.Token).ConfigureAwait(false);
            if (drain.IsCancellationRequested)
            {
                Options.StopLog?.Invoke($"stopping: requests still in progress {DrainTimeout.TotalSeconds:0} s after the stop began were cut off");
            }
        }

        // Kestrel has stopped: disposing the application has nothing left to wait for.
        await _app.DisposeAsync().ConfigureAwait(false);
        _exporter.Dispose();
        Connections.Dispose();

        // Never bounded: the store commits what was queued before it closed and checkpoints its WAL. An acknowledged
        // write is in the WAL already (kill -9 keeps it), but a close cut short would leave the checkpoint to the next
        // open.
        await Store.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
        _dataLock?.Dispose();
    }

    // How long in-flight requests get to finish when the server stops.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Takes DATA/handshake.lock exclusively (on Linux, .NET's FileShare.None is flock(LOCK_EX): released by the kernel
    /// when the process dies, kill -9 included, so a crash never leaves the directory locked). Null when the file
    /// cannot be made (a directory that cannot be created or written): the store then says what is wrong with it.
    /// </summary>
    private static FileStream? LockDataDirectory(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, "handshake.lock");
        try
        {
            Directory.CreateDirectory(dataDirectory);
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == WouldBlock || (e.HResult & 0xFFFF) == SharingViolation)
        {
            throw new HandshakeStartException(
                $"the data directory {dataDirectory} is in use by another handshake up (stop it, or choose another --data-dir)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // What .NET's sharing-violation IOException carries as HResult when another process holds the file's lock: on
    // Linux flock's errno, EWOULDBLOCK (11); on Windows ERROR_SHARING_VIOLATION (32).
    private const int WouldBlock = 11;
    private const int SharingViolation = 32;
}
