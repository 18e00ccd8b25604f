using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2019-09-25/functions/{name}/event-invoke-config/list?Marker=&amp;MaxItems=: every qualifier's settings, $LATEST
/// first; MaxItems from 1 to 50 (the model's range); the marker is the last qualifier returned.
/// </summary>
internal static class ListFunctionEventInvokeConfigs
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn)
    {
        ListPage paging = ListPage.Read(context, maxAllowed: 50);
        string? qualifier = null;
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        (List<EventInvokeConfig> page, string? nextMarker) = paging.Take(host.ListEventInvokeConfigs(name), static c => c.Qualifier);
        return ListPage.WriteAsync(context, "FunctionEventInvokeConfigs", page, nextMarker, (writer, config) => EventInvokeConfigJson.Write(writer, host, name, config));
    }
}
