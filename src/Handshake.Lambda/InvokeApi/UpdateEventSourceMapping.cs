using System.Text.Json;
using Handshake.Lambda.EventSources;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2015-03-31/event-source-mappings/{UUID}: 202 with the mapping, State Enabling or Disabling when Enabled
/// changes it, Updating otherwise. Disabling keeps the position: enabling again goes on from it.
/// </summary>
internal static class UpdateEventSourceMapping
{
    /// <summary>The body's members and their JSON types: Lambda's UpdateEventSourceMappingRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(LambdaModelShapes.EventSourceMapping);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string uuid)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateEventSourceMapping), Input).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        // Every member is checked before the mapping changes (Update applies the new settings only once they are
        // made), so a refused update changes nothing.
        EventSourceMappingView updated = host.EventSourceMappings.Update(uuid, settings => EventSourceMappingFields.Apply(host, body, settings));
        await JsonResponse.WriteAsync(context, 202, writer => EventSourceMappingJson.Write(writer, host, updated)).ConfigureAwait(false);
    }
}
