using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2015-03-31/functions/{name}/aliases {"Name","FunctionVersion","Description","RoutingConfig"}: 201 with the
/// AliasConfiguration. The version (and a weighted second version) must exist.
/// </summary>
internal static class CreateAlias
{
    /// <summary>The body's members and their JSON types: Lambda's CreateAliasRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
        ("Name", RequestShape.String), ("FunctionVersion", RequestShape.String), ("Description", RequestShape.String),
        ("RoutingConfig", LambdaModelShapes.AliasRoutingConfiguration));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(CreateAlias), Input).ConfigureAwait(false);
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        JsonElement body = document.RootElement;
        string aliasName = AliasConfigurationJson.CheckName(JsonResponse.String(body, "Name"));
        string version = AliasConfigurationJson.CheckFunctionVersion(JsonResponse.String(body, "FunctionVersion")
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"));
        (string? additional, double weight) = AliasConfigurationJson.ReadRouting(body, out _);
        FunctionAlias alias = host.CreateAlias(functionName, new FunctionAlias
        {
            Name = aliasName,
            FunctionVersion = version,
            Description = JsonResponse.Description(body) ?? "",
            AdditionalVersion = additional,
            AdditionalWeight = weight,
        });
        await JsonResponse.WriteAsync(context, 201, writer => AliasConfigurationJson.Write(writer, host, functionName, alias)).ConfigureAwait(false);
    }
}
