using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/{name}: Configuration, Code and (when reserved) Concurrency.</summary>
internal static class GetFunction
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string? qualifier)
    {
        FunctionDefinition function = LambdaHttpEndpoint.Find(host, name, qualifier);
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Configuration");
            FunctionConfigurationJson.Write(writer, host, function);
            writer.WriteStartObject("Code");
            writer.WriteString("RepositoryType", "S3");
            writer.WriteString("Location", new Uri(function.CodeDirectory).AbsoluteUri);
            writer.WriteEndObject();
            if (function.ReservedConcurrency is int reserved)
            {
                writer.WriteStartObject("Concurrency");
                writer.WriteNumber("ReservedConcurrentExecutions", reserved);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
    }
}
