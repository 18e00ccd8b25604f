using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/functions/{name}?Qualifier=: Configuration, Code, Tags (when any) and (when reserved) Concurrency. A version or an
/// alias answers that version's configuration, with the qualifier in FunctionArn.
/// </summary>
internal static class GetFunction
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string? qualifier)
    {
        string functionName = LambdaHttpEndpoint.Resolve(host, name, ref qualifier);
        FunctionDefinition function = host.GetVersion(functionName, qualifier);
        // The reservation is the function's, whichever version is asked for.
        int? reserved = host.GetVersion(functionName, null).ReservedConcurrency;
        IReadOnlyDictionary<string, string> tags = host.ListTags(functionName);
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Configuration");
            FunctionConfigurationJson.Write(writer, host, function, qualifier);
            writer.WriteStartObject("Code");
            writer.WriteString("RepositoryType", "S3");
            writer.WriteString("Location", new Uri(function.CodeDirectory).AbsoluteUri);
            writer.WriteEndObject();
            // Lambda answers Tags only for a function that has some.
            if (tags.Count > 0)
            {
                FunctionTags.Write(writer, tags);
            }

            if (reserved is int reservedExecutions)
            {
                writer.WriteStartObject("Concurrency");
                writer.WriteNumber("ReservedConcurrentExecutions", reservedExecutions);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
    }
}
