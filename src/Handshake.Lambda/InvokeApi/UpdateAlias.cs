using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2015-03-31/functions/{name}/aliases/{alias} {"FunctionVersion","Description","RoutingConfig","RevisionId"}:
/// the fields given replace the alias's (an empty AdditionalVersionWeights ends weighted routing); RevisionId, when
/// given, must be the alias's current one. Invocations through the alias move at once.
/// </summary>
internal static class UpdateAlias
{
    /// <summary>The body's members and their JSON types: Lambda's UpdateAliasRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
        ("FunctionVersion", RequestShape.String), ("Description", RequestShape.String),
        ("RoutingConfig", LambdaModelShapes.AliasRoutingConfiguration), ("RevisionId", RequestShape.String));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name, string aliasName)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateAlias), Input).ConfigureAwait(false);
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        AliasConfigurationJson.CheckName(aliasName);
        JsonElement body = document.RootElement;
        string? version = JsonResponse.String(body, "FunctionVersion") is { } v ? AliasConfigurationJson.CheckFunctionVersion(v) : null;
        string? description = JsonResponse.Description(body);
        string? revisionId = JsonResponse.String(body, "RevisionId");
        (string? additional, double weight) = AliasConfigurationJson.ReadRouting(body, out bool routingGiven);
        FunctionAlias alias = host.UpdateAlias(functionName, aliasName, current =>
        {
            // Under the pool's control-plane lock: of two updates carrying the same RevisionId, only the first succeeds.
            if (revisionId is not null && revisionId != current.RevisionId)
            {
                throw LambdaException.PreconditionFailed();
            }

            return current with
            {
                FunctionVersion = version ?? current.FunctionVersion,
                Description = description ?? current.Description,
                AdditionalVersion = routingGiven ? additional : current.AdditionalVersion,
                AdditionalWeight = routingGiven ? weight : current.AdditionalWeight,
            };
        });
        await JsonResponse.WriteAsync(context, 200, writer => AliasConfigurationJson.Write(writer, host, functionName, alias)).ConfigureAwait(false);
    }
}
