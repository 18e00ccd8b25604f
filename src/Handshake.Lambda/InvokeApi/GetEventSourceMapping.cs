using Handshake.Lambda.EventSources;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/event-source-mappings/{UUID}: 200 with the mapping.</summary>
internal static class GetEventSourceMapping
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string uuid)
    {
        if (!host.EventSourceMappings.TryGet(uuid, out EventSourceMappingView mapping))
        {
            throw EventSourceMappings.NotFound();
        }

        return JsonResponse.WriteAsync(context, 200, writer => EventSourceMappingJson.Write(writer, host, mapping));
    }
}
