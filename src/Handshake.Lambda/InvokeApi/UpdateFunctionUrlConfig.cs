using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2021-10-31/functions/{name}/url?Qualifier= {"AuthType","Cors","InvokeMode"}: the members given replace the
/// URL's (a Cors object replaces the whole Cors), LastModifiedTime moves; the URL itself never changes.
/// </summary>
internal static class UpdateFunctionUrlConfig
{
    /// <summary>The body's members and their JSON types: Lambda's UpdateFunctionUrlConfigRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(LambdaModelShapes.FunctionUrlConfig);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateFunctionUrlConfig), Input).ConfigureAwait(false);
        string functionName = FunctionUrlConfigJson.Resolve(host, context, name, out string? qualifier);
        JsonElement body = document.RootElement;
        string? authType = FunctionUrlConfigJson.AuthType(body, required: false);
        FunctionUrlCors? cors = FunctionUrlConfigJson.Cors(body);
        string? invokeMode = FunctionUrlConfigJson.InvokeMode(body);
        DateTimeOffset now = host.Options.Clock.GetUtcNow();
        FunctionUrlConfig config = host.UpdateFunctionUrl(functionName, qualifier, current => current with
        {
            AuthType = authType ?? current.AuthType,
            Cors = cors ?? current.Cors,
            InvokeMode = invokeMode ?? current.InvokeMode,
            LastModifiedTime = now,
        });
        await JsonResponse.WriteAsync(context, 200, writer => FunctionUrlConfigJson.Write(writer, host, context.Request, config)).ConfigureAwait(false);
    }
}
