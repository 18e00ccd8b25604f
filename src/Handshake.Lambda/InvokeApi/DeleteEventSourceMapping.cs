using Handshake.Lambda.EventSources;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// DELETE /2015-03-31/event-source-mappings/{UUID}: 202 with the mapping, State Deleting. It is gone once its poller
/// has stopped (an invocation in flight finishes first).
/// </summary>
internal static class DeleteEventSourceMapping
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string uuid)
    {
        EventSourceMappingView deleting = host.EventSourceMappings.Delete(uuid);
        return JsonResponse.WriteAsync(context, 202, writer => EventSourceMappingJson.Write(writer, host, deleting));
    }
}
