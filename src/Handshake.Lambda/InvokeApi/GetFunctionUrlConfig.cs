using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2021-10-31/functions/{name}/url?Qualifier=: the URL's config.</summary>
internal static class GetFunctionUrlConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        string functionName = FunctionUrlConfigJson.Resolve(host, context, name, out string? qualifier);
        FunctionUrlConfig config = host.GetFunctionUrl(functionName, qualifier);
        return JsonResponse.WriteAsync(context, 200, writer => FunctionUrlConfigJson.Write(writer, host, context.Request, config));
    }
}
