using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Handshake.Runtime.AwsSdk;

/// <summary>
/// An AWS SDK <see cref="HttpClientFactory"/> for functions: one HttpClient per factory, whose SocketsHttpHandler drops
/// pooled connections after <see cref="PooledConnectionIdleTimeout"/>, and which counts every TCP connection it opens.
/// <para>
/// Why the idle timeout: Servers close idle connections after about 60 s (DynamoDB, ALB), Kestrel after 130 s; a
/// timeout below that retires connections before the server does. SocketsHttpHandler enforces it with the pool's
/// scavenging timer only, which does not run while Lambda has the environment frozen: taking a connection from the
/// pool checks its lifetime (not its idle age) and polls the socket, which discards one the server already closed
/// (FIN or RST received during the freeze). A connection dropped silently (no FIN reached the function) can still be
/// taken right after a thaw and fail at the first write.
/// </para>
/// Use: <c>new AmazonDynamoDBClient(new AmazonDynamoDBConfig { HttpClientFactory = factory })</c>, factory built once
/// per environment, and report <see cref="ConnectionsOpened"/> (e.g. per invocation, as a difference).
/// </summary>
public sealed class PooledHttpClientFactory : HttpClientFactory, IDisposable
{
    /// <summary>Half the 60 s that DynamoDB and load balancers are observed to keep idle connections.</summary>
    public static readonly TimeSpan DefaultPooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(100);

    private readonly Lock _gate = new();
    private HttpClient? _client;
    private long _connectionsOpened;

    public PooledHttpClientFactory()
        : this(DefaultPooledConnectionIdleTimeout)
    {
    }

    /// <param name="pooledConnectionIdleTimeout">
    /// Shorter than the server's idle timeout. <see cref="TimeSpan.Zero"/> disables pooling: a new connection per request.
    /// </param>
    public PooledHttpClientFactory(TimeSpan pooledConnectionIdleTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pooledConnectionIdleTimeout, TimeSpan.Zero);
        PooledConnectionIdleTimeout = pooledConnectionIdleTimeout;
    }

    public TimeSpan PooledConnectionIdleTimeout { get; }

    /// <summary>TCP connections this factory's clients have opened so far.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        lock (_gate)
        {
            // Every SDK client built with this factory shares one pool, so one environment keeps one connection per
            // endpoint however many clients its code creates.
            return _client ??= new HttpClient(CreateHandler(), disposeHandler: true)
            {
                Timeout = clientConfig.Timeout ?? DefaultRequestTimeout,
            };
        }
    }

    /// <summary>The factory caches its one client itself; the SDK must neither cache nor dispose it.</summary>
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose()
    {
        lock (_gate)
        {
            _client?.Dispose();
            _client = null;
        }
    }

    private SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        // As the SDK's own handler: no decompression, and HTTP/2 may use more than one connection.
        AutomaticDecompression = DecompressionMethods.None,
        EnableMultipleHttp2Connections = true,
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        // The documented ConnectCallback pattern (a dual-mode socket reaches IPv4 and IPv6), plus the count.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Interlocked.Increment(ref _connectionsOpened);
        return new NetworkStream(socket, ownsSocket: true);
    }
}
