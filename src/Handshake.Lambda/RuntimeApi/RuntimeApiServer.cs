using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// One environment's Runtime API on 127.0.0.1:0, since a runtime client knows only host:port (AWS_LAMBDA_RUNTIME_API).
/// Kestrel's socket transport accepts and carries the connections; <see cref="RuntimeApiConnection"/> speaks HTTP/1.1
/// on them (why not Kestrel's HTTP layer: see there). No server to build and start: binding is the whole cold-start cost.
/// </summary>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private readonly IConnectionListener _listener;
    private readonly RuntimeApiHandler _handler;
    private readonly ILogger _logger;
    private readonly Dictionary<ConnectionContext, Task> _connections = [];
    private Task _accepting = Task.CompletedTask;

    private RuntimeApiServer(IConnectionListener listener, RuntimeApiHandler handler, ILogger logger)
    {
        _listener = listener;
        _handler = handler;
        _logger = logger;
        Address = ((IPEndPoint)listener.EndPoint).ToString();
    }

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; }

    public static async Task<RuntimeApiServer> StartAsync(ExecutionEnvironment session, IConnectionListenerFactory transport, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        IConnectionListener listener = await transport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken).ConfigureAwait(false);
        RuntimeApiServer server = new(listener, new RuntimeApiHandler(session), loggerFactory.CreateLogger<RuntimeApiServer>());
        server._accepting = server.AcceptAsync();
        return server;
    }

    private async Task AcceptAsync()
    {
        while (await _listener.AcceptAsync().ConfigureAwait(false) is { } connection)
        {
            lock (_connections)
            {
                _connections[connection] = ServeAsync(connection);
            }
        }
    }

    private async Task ServeAsync(ConnectionContext connection)
    {
        // Off the accept loop: the first request must not wait for the next accept.
        await Task.Yield();
        try
        {
            await new RuntimeApiConnection(connection, _handler).RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A fault here is a bug in the host, not the runtime's doing: say so, and drop only this connection.
            _logger.LogError(e, "Runtime API connection {ConnectionId} failed", connection.ConnectionId);
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.UnbindAsync().ConfigureAwait(false);
        Task[] open;
        lock (_connections)
        {
            foreach (ConnectionContext connection in _connections.Keys)
            {
                connection.Abort(new ConnectionAbortedException("The environment is shutting down."));
            }

            open = [.. _connections.Values];
        }

        try
        {
            await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _accepting.ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
    }
}
