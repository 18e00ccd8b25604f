using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2021-10-31/functions/{name}/url?Qualifier=: 204; the URL stops answering at once.</summary>
internal static class DeleteFunctionUrlConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        string functionName = FunctionUrlConfigJson.Resolve(host, context, name, out string? qualifier);
        host.DeleteFunctionUrl(functionName, qualifier);
        return JsonResponse.NoContent(context);
    }
}
