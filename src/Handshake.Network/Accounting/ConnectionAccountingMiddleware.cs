using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Handshake.Network.Accounting;

/// <summary>
/// A Kestrel connection middleware (in the manner of Kestrel's ConnectionLimitMiddleware) that records every accepted
/// TCP connection in a <see cref="ConnectionLedger"/>. Put it first on the listener, before UseHttps, so that it sees
/// every connection, including those whose TLS handshake fails, and counts the bytes on the wire.
/// </summary>
public sealed class ConnectionAccountingMiddleware(ConnectionDelegate next, ConnectionLedger ledger, bool isTls)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        // A connection the store's event loop accepted and handed over arrives with its record already open.
        ConnectionRecord record = connection.Features.Get<ConnectionRecord>()
            ?? ledger.Open(connection.ConnectionId, connection.RemoteEndPoint, isTls);

        // Connection features are visible from HttpContext.Features, which is how requests find their connection.
        connection.Features.Set(record);
        System.IO.Pipelines.IDuplexPipe transport = connection.Transport;
        connection.Transport = new CountingDuplexPipe(transport, record);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
            ledger.Close(record);
        }
    }
}

public static class ConnectionAccountingListenOptionsExtensions
{
    /// <summary>Records the listener's connections in <paramref name="ledger"/>; call it before UseHttps.</summary>
    public static ListenOptions UseConnectionAccounting(this ListenOptions listenOptions, ConnectionLedger ledger, bool isTls)
    {
        listenOptions.Use(next => new ConnectionAccountingMiddleware(next, ledger, isTls).OnConnectionAsync);
        return listenOptions;
    }
}
