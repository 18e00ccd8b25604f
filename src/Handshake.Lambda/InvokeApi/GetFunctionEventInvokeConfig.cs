using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2019-09-25/functions/{name}/event-invoke-config?Qualifier=: the qualifier's asynchronous invocation settings.</summary>
internal static class GetFunctionEventInvokeConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        EventInvokeConfig config = host.GetEventInvokeConfig(name, qualifier);
        return JsonResponse.WriteAsync(context, 200, writer => EventInvokeConfigJson.Write(writer, host, name, config));
    }
}
