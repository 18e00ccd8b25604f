using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2015-03-31/functions/{name}/configuration: runtime, handler, timeout, memory, environment, description, role.
/// RevisionId, when given, must be the current one.
/// </summary>
internal static class UpdateFunctionConfiguration
{
    /// <summary>The body's members and their JSON types: Lambda's UpdateFunctionConfigurationRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure([.. LambdaModelShapes.FunctionConfiguration, ("RevisionId", RequestShape.String)]);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateFunctionConfiguration), Input).ConfigureAwait(false);
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        JsonElement body = document.RootElement;
        FunctionDefinition updated = host.UpdateFunction(current.Name, f =>
        {
            // Checked and applied under the pool's control-plane lock, to the definition this update replaces.
            FunctionFields.CheckRevisionId(body, f);
            return FunctionFields.Apply(host, body, f) with
            {
                LastModified = host.Options.Clock.GetUtcNow(),
                RevisionId = Guid.NewGuid().ToString(),
            };
        });
        await JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, updated)).ConfigureAwait(false);
    }
}
