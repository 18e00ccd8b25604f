using Handshake.Runtime.Client;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Bootstrap;

/// <summary>
/// A handler that streams its response (Lambda response streaming): read the event from <paramref name="payload"/>,
/// write the response into <paramref name="response"/> piece by piece (set its ContentType first if it is not
/// application/octet-stream). The stream is ended for the handler when its task completes; an exception ends it with
/// the error in the trailers (the caller gets it in InvokeComplete).
/// </summary>
public delegate Task LambdaStreamingHandler(Stream payload, ILambdaContext context, LambdaResponseStream response);
