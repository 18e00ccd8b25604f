using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/{name}/aliases/{alias}: the AliasConfiguration.</summary>
internal static class GetAlias
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string aliasName)
    {
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        FunctionAlias alias = host.GetAlias(functionName, AliasConfigurationJson.CheckName(aliasName));
        return JsonResponse.WriteAsync(context, 200, writer => AliasConfigurationJson.Write(writer, host, functionName, alias));
    }
}
