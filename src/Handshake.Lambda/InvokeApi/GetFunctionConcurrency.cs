using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2019-09-30/functions/{name}/concurrency: {} when nothing is reserved.</summary>
internal static class GetFunctionConcurrency
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            if (current.ReservedConcurrency is int reserved)
            {
                writer.WriteNumber("ReservedConcurrentExecutions", reserved);
            }

            writer.WriteEndObject();
        });
    }
}
