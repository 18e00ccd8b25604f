using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>PUT /2015-03-31/functions/{name}/configuration: runtime, handler, timeout, memory, environment, description, role.</summary>
internal static class UpdateFunctionConfiguration
{
    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        using JsonDocument document = await JsonResponse.ReadAsync(context).ConfigureAwait(false);
        FunctionDefinition changed = FunctionFields.Apply(document.RootElement, current) with
        {
            LastModified = host.Options.Clock.GetUtcNow(),
            RevisionId = Guid.NewGuid().ToString(),
        };
        FunctionDefinition updated = host.UpdateFunction(current.Name, _ => changed);
        await JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, updated)).ConfigureAwait(false);
    }
}
