using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Bootstrap;

/// <summary>
/// Adapts the two handler shapes functions are written in to the core <see cref="LambdaHandler"/>: typed JSON through
/// source-generated System.Text.Json metadata (so trimming and NativeAOT keep working), and raw streams.
/// </summary>
public static class LambdaHandlers
{
    /// <summary>A typed handler: the event is deserialized with <paramref name="requestType"/>, the result serialized with <paramref name="responseType"/>.</summary>
    public static LambdaHandler Json<TRequest, TResponse>(
        Func<TRequest, ILambdaContext, Task<TResponse>> handler,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(requestType);
        ArgumentNullException.ThrowIfNull(responseType);
        return async (payload, context, response) =>
        {
            // An empty payload is what `aws lambda invoke` sends with no --payload; treat it as JSON null.
            var request = payload.Length == 0 ? default! : JsonSerializer.Deserialize(payload, requestType)!;
            var result = await handler(request, context).ConfigureAwait(false);
            JsonSerializer.Serialize(response, result, responseType);
        };
    }

    /// <summary>A raw handler: the event's bytes in, the result's bytes out.</summary>
    public static LambdaHandler Stream(Func<Stream, ILambdaContext, Task<Stream>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return async (payload, context, response) =>
        {
            var result = await handler(payload, context).ConfigureAwait(false);
            await using (result.ConfigureAwait(false))
            {
                await result.CopyToAsync(response).ConfigureAwait(false);
            }
        };
    }
}
