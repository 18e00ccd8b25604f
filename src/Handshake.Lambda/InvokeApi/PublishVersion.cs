using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2015-03-31/functions/{name}/versions {"CodeSha256","Description","RevisionId"}: 201 with the new version's
/// configuration (FunctionArn qualified with its number). When $LATEST has not changed since the last version, that
/// version is answered and no new one is made, as Lambda does.
/// </summary>
internal static class PublishVersion
{
    /// <summary>The body's members and their JSON types: Lambda's PublishVersionRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
        ("CodeSha256", RequestShape.String), ("Description", RequestShape.String), ("RevisionId", RequestShape.String),
        ("PublishTo", RequestShape.String));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(PublishVersion), Input).ConfigureAwait(false);
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        JsonElement body = document.RootElement;
        FunctionDefinition version = host.PublishVersion(functionName,
            JsonResponse.Description(body), JsonResponse.String(body, "CodeSha256"), JsonResponse.String(body, "RevisionId"));
        await JsonResponse.WriteAsync(context, 201, writer => FunctionConfigurationJson.Write(writer, host, version, version.Version)).ConfigureAwait(false);
    }
}
