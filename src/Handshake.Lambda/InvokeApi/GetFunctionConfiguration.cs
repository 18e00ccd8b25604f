using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/{name}/configuration?Qualifier=: $LATEST's, a version's or an alias's version's.</summary>
internal static class GetFunctionConfiguration
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string? qualifier)
    {
        string functionName = LambdaHttpEndpoint.Resolve(host, name, ref qualifier);
        FunctionDefinition function = host.GetVersion(functionName, qualifier);
        return JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, function, qualifier));
    }
}
