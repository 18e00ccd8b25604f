using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>POST /2015-03-31/functions: 201 with the FunctionConfiguration.</summary>
internal static class CreateFunction
{
    public static async Task HandleAsync(FunctionHost host, HttpContext context)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string name = JsonResponse.String(body, "FunctionName")
            ?? throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
        if (!FunctionName.TryParse(name, out string functionName, out string? qualifier) || qualifier is not null)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
        }

        if (JsonResponse.String(body, "Runtime") is null)
        {
            throw LambdaException.InvalidParameter("The runtime parameter is required for functions with a Zip package type.");
        }

        if (host.TryGetFunction(functionName, out _))
        {
            throw LambdaException.Conflict($"Function already exist: {functionName}");
        }

        if (!body.TryGetProperty("Code", out JsonElement code) || code.ValueKind != JsonValueKind.Object)
        {
            throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null");
        }

        (string directory, string sha, long size) = FunctionFields.InstallCode(host, functionName, code);
        FunctionDefinition function = FunctionFields.Apply(body, new FunctionDefinition
        {
            Name = functionName,
            Runtime = "provided",
            CodeDirectory = directory,
            CodeSha256 = sha,
            CodeSize = size,
            LastModified = host.Options.Clock.GetUtcNow(),
        });
        host.CreateFunction(function);
        await JsonResponse.WriteAsync(context, 201, writer => FunctionConfigurationJson.Write(writer, host, function)).ConfigureAwait(false);
    }
}
