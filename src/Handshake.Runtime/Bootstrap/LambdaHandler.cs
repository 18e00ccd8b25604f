using Handshake.Runtime.Context;

namespace Handshake.Runtime.Bootstrap;

/// <summary>
/// The one handler shape at the core of the loop: read the event from <paramref name="payload"/>, write the result into
/// <paramref name="response"/>. Typed and stream handlers are adapted to it by <see cref="LambdaHandlers"/>.
/// A thrown exception becomes Lambda's error shape.
/// </summary>
public delegate Task LambdaHandler(Stream payload, ILambdaContext context, Stream response);
