using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2021-10-31/functions/{name}/url?Qualifier= {"AuthType","Cors","InvokeMode"}: 201 with the new URL's
/// config (no LastModifiedTime in this answer, as in Lambda's). One URL per qualifier: the unqualified function or an alias.
/// </summary>
internal static class CreateFunctionUrlConfig
{
    /// <summary>The body's members and their JSON types: Lambda's CreateFunctionUrlConfigRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(LambdaModelShapes.FunctionUrlConfig);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(CreateFunctionUrlConfig), Input).ConfigureAwait(false);
        string functionName = FunctionUrlConfigJson.Resolve(host, context, name, out string? qualifier);
        JsonElement body = document.RootElement;
        string authType = FunctionUrlConfigJson.AuthType(body, required: true)!;
        FunctionUrlCors? cors = FunctionUrlConfigJson.Cors(body);
        string invokeMode = FunctionUrlConfigJson.InvokeMode(body) ?? FunctionUrlConfig.Buffered;
        DateTimeOffset now = host.Options.Clock.GetUtcNow();
        FunctionUrlConfig config = host.CreateFunctionUrl(functionName, qualifier, urlId => new FunctionUrlConfig
        {
            FunctionName = functionName,
            Qualifier = qualifier,
            UrlId = urlId,
            AuthType = authType,
            Cors = cors,
            InvokeMode = invokeMode,
            CreationTime = now,
            LastModifiedTime = now,
        });
        await JsonResponse.WriteAsync(context, 201, writer => FunctionUrlConfigJson.Write(writer, host, context.Request, config, lastModified: false)).ConfigureAwait(false);
    }
}
