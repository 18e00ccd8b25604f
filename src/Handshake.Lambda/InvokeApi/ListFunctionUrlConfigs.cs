using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2021-10-31/functions/{name}/urls?Marker=&amp;MaxItems=: {"FunctionUrlConfigs":[...],"NextMarker"}, the
/// unqualified function's URL first, then the aliases' by name; the marker is the last config's FunctionArn.
/// </summary>
internal static class ListFunctionUrlConfigs
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        ListPage paging = ListPage.Read(context);
        string? qualifier = null;
        string functionName = LambdaHttpEndpoint.Resolve(host, name, ref qualifier);
        (List<FunctionUrlConfig> page, string? nextMarker) = paging.Take(host.ListFunctionUrls(functionName), c => Arn(host, c));
        return ListPage.WriteAsync(context, "FunctionUrlConfigs", page, nextMarker, (writer, config) => FunctionUrlConfigJson.Write(writer, host, context.Request, config));
    }

    private static string Arn(FunctionHost host, FunctionUrlConfig config) =>
        host.Arn(config.FunctionName) + (config.Qualifier is null ? "" : ":" + config.Qualifier);
}
