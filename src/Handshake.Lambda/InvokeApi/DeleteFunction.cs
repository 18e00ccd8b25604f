using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2015-03-31/functions/{name}: 204; its environments are shut down.</summary>
internal static class DeleteFunction
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        host.DeleteFunction(LambdaHttpEndpoint.Find(host, name, null).Name);
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }
}
