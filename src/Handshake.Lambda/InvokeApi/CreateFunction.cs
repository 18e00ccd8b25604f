using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>POST /2015-03-31/functions: 201 with the FunctionConfiguration.</summary>
internal static class CreateFunction
{
    /// <summary>
    /// The body's members and their JSON types: Lambda's CreateFunctionRequest, the configuration members
    /// UpdateFunctionConfiguration shares and the ones only a new function takes.
    /// </summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
    [
        .. LambdaModelShapes.FunctionConfiguration,
        ("FunctionName", RequestShape.String), ("Code", LambdaModelShapes.FunctionCode), ("Publish", RequestShape.Boolean),
        ("PackageType", RequestShape.String), ("Tags", RequestShape.StringMap), ("CodeSigningConfigArn", RequestShape.String),
        ("Architectures", RequestShape.StringList), ("PublishTo", RequestShape.String),
        ("TenancyConfig", RequestShape.Structure(("TenantIsolationMode", RequestShape.String))),
    ]);

    public static async Task HandleAsync(FunctionHost host, HttpContext context)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(CreateFunction), Input).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string name = JsonResponse.String(body, "FunctionName")
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
        if (!FunctionName.TryParse(name, out string functionName, out string? qualifier) || qualifier is not null)
        {
            throw LambdaException.Validation(LambdaHttpEndpoint.FunctionNamePatternError(name));
        }

        // Role is required by Lambda's model (the host runs nothing as it, but a deploy that leaves it out would fail on AWS).
        if (JsonResponse.String(body, "Role") is null)
        {
            throw LambdaException.Validation("1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
        }

        if (!body.TryGetProperty("Code", out JsonElement code) || code.ValueKind != JsonValueKind.Object)
        {
            throw LambdaException.Validation("1 validation error detected: Value null at 'code' failed to satisfy constraint: Member must not be null");
        }

        if (JsonResponse.String(body, "Runtime") is null)
        {
            throw LambdaException.InvalidParameter("The runtime parameter is required for functions with a Zip package type.");
        }

        // Every field is checked before the code is unpacked, so a request refused for its fields leaves nothing behind
        // (one whose save fails leaves the unpacked code, which the same zip reuses: README, known limits).
        FunctionDefinition configured = FunctionFields.Apply(host, body, new FunctionDefinition
        {
            Name = functionName,
            Runtime = "provided.al2023",
            CodeDirectory = "",
            LastModified = host.Options.Clock.GetUtcNow(),
            Architecture = FunctionFields.Architecture(body, FunctionDefinition.X86_64),
        });
        Dictionary<string, string>? tags = FunctionTags.Read(body);
        if (host.TryGetFunction(functionName, out _))
        {
            throw LambdaException.Conflict($"Function already exist: {functionName}");
        }

        (string directory, string sha, long size) = FunctionFields.InstallCode(host, functionName, code);
        // The tags, and with Publish=true version 1, are saved with the function, in one write: an acknowledged
        // CreateFunction has them after a restart, and a 500 (the write failed) leaves none of them. The answer is
        // version 1's configuration when published.
        FunctionDefinition function = host.CreateFunction(configured with { CodeDirectory = directory, CodeSha256 = sha, CodeSize = size }, tags, FunctionFields.Publish(body));

        await JsonResponse.WriteAsync(context, 201, writer => FunctionConfigurationJson.Write(writer, host, function, function.IsPublished ? function.Version : null)).ConfigureAwait(false);
    }
}
