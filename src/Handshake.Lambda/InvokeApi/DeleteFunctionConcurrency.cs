using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2017-10-31/functions/{name}/concurrency: 204; the function is limited by the account limit only.</summary>
internal static class DeleteFunctionConcurrency
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        host.UpdateFunction(current.Name, f => f with { ReservedConcurrency = null });
        return JsonResponse.NoContent(context);
    }
}
