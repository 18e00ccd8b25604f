using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2015-03-31/functions/{name}/aliases/{alias}: 204. The versions it pointed at stay.</summary>
internal static class DeleteAlias
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string aliasName)
    {
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        host.DeleteAlias(functionName, AliasConfigurationJson.CheckName(aliasName));
        return JsonResponse.NoContent(context);
    }
}
