using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Where Kestrel listens for the store: <c>kestrel.Listen(new DynamoListenEndPoint(...))</c> with a
/// <see cref="DynamoTransport"/> registered as a connection listener factory. The store's plain requests are then
/// answered by <see cref="DynamoEventLoop"/>, and Kestrel's HTTP layer gets the rest of the connections.
/// </summary>
public sealed class DynamoListenEndPoint(IPEndPoint address, Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout, IStoreConnectionObserver? observer = null,
    Func<IPlainRoute?>? route = null) : EndPoint
{
    public IPEndPoint Address { get; } = address;

    /// <summary>Read per connection: a composition may create the store's endpoint after Kestrel is configured.</summary>
    public Func<DynamoHttpEndpoint?> Endpoint { get; } = endpoint;

    /// <summary>Idle connections close after it, as Kestrel's do after its KeepAliveTimeout.</summary>
    public TimeSpan KeepAliveTimeout { get; } = keepAliveTimeout;

    public IStoreConnectionObserver? Observer { get; } = observer;

    /// <summary>Other plain requests the loop answers (the Invoke API on <c>up</c>'s port); read per request.</summary>
    public Func<IPlainRoute?>? Route { get; } = route;

    public override AddressFamily AddressFamily => Address.AddressFamily;

    public override string ToString() => "http://" + Address;
}

/// <summary>
/// A Kestrel transport for <see cref="DynamoListenEndPoint"/>: it binds the socket and runs the event loop on it; the
/// connections the loop hands over (a request that is not a plain store request) come out of AcceptAsync as Kestrel's
/// own socket connections, with the bytes already read put back in front of their input.
/// </summary>
public sealed class DynamoTransport(ILoggerFactory? loggerFactory = null) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    // setsockopt(2) constants of Linux, the only system this transport binds on.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>
    /// Registers the transport beside Kestrel's socket transport, not instead of it (other listeners, TLS among them,
    /// still bind there): call it after Kestrel is added.
    /// </summary>
    public static void AddTo(IServiceCollection services) =>
        services.AddSingleton<IConnectionListenerFactory>(provider => new DynamoTransport(provider.GetService<ILoggerFactory>()));

    public bool CanBind(EndPoint endpoint) => endpoint is DynamoListenEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not DynamoListenEndPoint listen)
        {
            throw new NotSupportedException($"{nameof(DynamoTransport)} binds only a {nameof(DynamoListenEndPoint)}.");
        }

        if (!OperatingSystem.IsLinux())
        {
            // The loop is built on epoll(7): elsewhere Kestrel's own transport takes every connection, and the store
            // answers through Kestrel's HTTP layer, as it does for the requests the loop hands over.
            SocketTransportFactory sockets = new(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions()), loggerFactory ?? NullLoggerFactory.Instance);
            return sockets.BindAsync(listen.Address, cancellationToken);
        }

        Socket socket = new(listen.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted server can take its port back while old connections sit in TIME_WAIT. SO_REUSEADDR alone:
            // .NET's SocketOptionName.ReuseAddress also sets SO_REUSEPORT on Linux, which would let a second
            // `handshake up` bind the same port and take half its connections instead of failing.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            socket.Bind(listen.Address);
            socket.Listen(512);
            socket.Blocking = false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            // What Kestrel's own transport throws, so that Kestrel reports it as "address already in use".
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DynamoTransport>();
        return new ValueTask<IConnectionListener>(new Listener(socket, listen, logger));
    }

    private sealed class Listener : IConnectionListener
    {
        private readonly Channel<ConnectionContext> _handedOver = Channel.CreateUnbounded<ConnectionContext>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        private readonly SocketConnectionContextFactory _contexts;
        private readonly DynamoEventLoop[] _loops;

        public Listener(Socket socket, DynamoListenEndPoint listen, ILogger logger)
        {
            EndPoint = socket.LocalEndPoint!;
            _contexts = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), logger);
            // A loop per core, up to four: each is one thread, and the group commit serializes only the commits.
            _loops = DynamoEventLoop.Start(Math.Clamp(Environment.ProcessorCount, 1, 4), socket, listen.Endpoint, listen.KeepAliveTimeout, listen.Observer, HandOver, listen.Route);
        }

        public EndPoint EndPoint { get; }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                while (await _handedOver.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (_handedOver.Reader.TryRead(out ConnectionContext? connection))
                    {
                        return connection;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            return null;
        }

        // On a loop's thread.
        private void HandOver(DynamoEventLoop.LoopConnection connection, byte[] unread)
        {
            Socket socket = new(new SafeSocketHandle(connection.Fd, ownsHandle: true));
            ConnectionContext context = _contexts.Create(socket);
            foreach (KeyValuePair<Type, object> feature in connection.Features)
            {
                context.Features[feature.Key] = feature.Value;
            }

            if (unread.Length > 0)
            {
                context.Transport = new UnreadDuplexPipe(context.Transport, unread);
            }

            if (!_handedOver.Writer.TryWrite(context))
            {
                // Stopping: Kestrel accepts no more connections.
                context.Abort(new ConnectionAbortedException("The server is stopping."));
                _ = context.DisposeAsync().AsTask();
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            foreach (DynamoEventLoop loop in _loops)
            {
                loop.StopAccepting();
            }

            _handedOver.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _handedOver.Writer.TryComplete();
            DynamoEventLoop.DisposeAll(_loops);

            _contexts.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class UnreadDuplexPipe(IDuplexPipe transport, byte[] unread) : IDuplexPipe
    {
        public PipeReader Input { get; } = new UnreadPipeReader(transport.Input, unread);

        public PipeWriter Output => transport.Output;
    }
}
