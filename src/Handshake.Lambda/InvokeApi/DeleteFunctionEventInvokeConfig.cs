using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2019-09-25/functions/{name}/event-invoke-config?Qualifier=: back to Lambda's defaults; 204.</summary>
internal static class DeleteFunctionEventInvokeConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        host.DeleteEventInvokeConfig(name, qualifier);
        return JsonResponse.NoContent(context);
    }
}
