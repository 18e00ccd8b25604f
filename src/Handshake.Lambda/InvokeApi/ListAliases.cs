using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/functions/{name}/aliases?FunctionVersion=&amp;Marker=&amp;MaxItems=: the aliases by name (with
/// FunctionVersion, those that point at that version); the marker is the last alias name returned.
/// </summary>
internal static class ListAliases
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        ListPage paging = ListPage.Read(context);
        string? functionVersion = context.Request.Query["FunctionVersion"].ToString() is { Length: > 0 } v ? AliasConfigurationJson.CheckFunctionVersion(v) : null;
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        (List<FunctionAlias> page, string? nextMarker) = paging.Take(host.ListAliases(functionName, functionVersion), static a => a.Name,
            static (a, marker) => string.CompareOrdinal(a.Name, marker) > 0);
        return ListPage.WriteAsync(context, "Aliases", page, nextMarker, (writer, alias) => AliasConfigurationJson.Write(writer, host, functionName, alias));
    }
}
