using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// What connection accounting sees of the connections <see cref="DynamoEventLoop"/> serves itself, which never pass
/// through Kestrel's connection middleware. The features are the connection's own: whatever the observer keeps there
/// at <see cref="Opened"/> goes with the connection if Kestrel takes it over, so it is counted once.
/// </summary>
public interface IStoreConnectionObserver
{
    void Opened(IFeatureCollection connection, EndPoint? remoteEndPoint);

    /// <summary>One request answered on the connection, with its Authorization header.</summary>
    void Request(IFeatureCollection connection, string? authorization);

    /// <summary>Bytes of requests consumed and of answers sent.</summary>
    void Transferred(IFeatureCollection connection, long bytesIn, long bytesOut);

    /// <summary>The connection closed while the loop served it (not after it went to Kestrel).</summary>
    void Closed(IFeatureCollection connection);
}
