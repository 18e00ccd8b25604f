using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// DELETE /2020-06-30/functions/{name}/code-signing-config: 204. No function has a code signing configuration here
/// (see <see cref="GetFunctionCodeSigningConfig"/>), so there is nothing to remove; a missing function is still not found.
/// </summary>
internal static class DeleteFunctionCodeSigningConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        LambdaHttpEndpoint.Find(host, name, null);
        return JsonResponse.NoContent(context);
    }
}
