using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/{name}/configuration.</summary>
internal static class GetFunctionConfiguration
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string? qualifier)
    {
        FunctionDefinition function = LambdaHttpEndpoint.Find(host, name, qualifier);
        return JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, function));
    }
}
