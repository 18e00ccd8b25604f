using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2020-06-30/functions/{name}/code-signing-config {"CodeSigningConfigArn": ARN}. The host has no code signing
/// configurations (CreateCodeSigningConfig is not served), so every ARN names one that does not exist: Lambda's
/// CodeSigningConfigNotFoundException (its text as LocalStack's AWS-validated provider has it).
/// </summary>
internal static class PutFunctionCodeSigningConfig
{
    /// <summary>The body's members and their JSON types: Lambda's PutFunctionCodeSigningConfigRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(("CodeSigningConfigArn", RequestShape.String));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(PutFunctionCodeSigningConfig), Input).ConfigureAwait(false);
        string arn = JsonResponse.String(document.RootElement, "CodeSigningConfigArn")
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'codeSigningConfigArn' failed to satisfy constraint: Member must not be null");
        LambdaHttpEndpoint.Find(host, name, null);
        throw new LambdaException(404, "CodeSigningConfigNotFoundException",
            $"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}.");
    }
}
