using System.Net;
using Handshake.Dynamo.Protocol;
using Handshake.Network.Accounting;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Composition;

/// <summary>Connection accounting for the connections the store's event loop serves (the store knows no ledger).</summary>
internal sealed class LedgerConnectionObserver(ConnectionLedger ledger) : IStoreConnectionObserver
{
    public void Opened(IFeatureCollection connection, EndPoint? remoteEndPoint) => ledger.OnOpened(connection, remoteEndPoint, isTls: false);

    public void Request(IFeatureCollection connection, string? authorization) => ledger.OnRequest(connection, authorization);

    public void Transferred(IFeatureCollection connection, long bytesIn, long bytesOut) => ledger.OnTransferred(connection, bytesIn, bytesOut);

    public void Closed(IFeatureCollection connection) => ledger.OnClosed(connection);
}
