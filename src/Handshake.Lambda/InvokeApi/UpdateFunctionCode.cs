using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>PUT /2015-03-31/functions/{name}/code: new environments run the new code; running ones finish first.</summary>
internal static class UpdateFunctionCode
{
    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        using JsonDocument document = await JsonResponse.ReadAsync(context).ConfigureAwait(false);
        (string directory, string sha, long size) = FunctionFields.InstallCode(host, current.Name, document.RootElement);
        FunctionDefinition updated = host.UpdateFunction(current.Name, f => f with
        {
            CodeDirectory = directory,
            CodeSha256 = sha,
            CodeSize = size,
            LastModified = host.Options.Clock.GetUtcNow(),
            RevisionId = Guid.NewGuid().ToString(),
        });
        await JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, updated)).ConfigureAwait(false);
    }
}
