using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/functions/?Marker=&amp;MaxItems=: pages of at most 50, whatever MaxItems asks (as Lambda documents);
/// the marker is the last name returned. FunctionVersion=ALL lists every version of every function.
/// </summary>
internal static class ListFunctions
{
    public static Task HandleAsync(FunctionHost host, HttpContext context)
    {
        if (context.Request.Query["FunctionVersion"].ToString() is { Length: > 0 } functionVersion)
        {
            return AllVersionsAsync(host, context, functionVersion);
        }

        ListPage paging = ListPage.Read(context);
        // By name; a marker whose function was deleted meanwhile still pages on after its name.
        (List<FunctionDefinition> page, string? nextMarker) = paging.Take(host.ListFunctions(), static f => f.Name,
            static (f, marker) => string.CompareOrdinal(f.Name, marker) > 0);
        return ListPage.WriteAsync(context, "Functions", page, nextMarker, (writer, function) => FunctionConfigurationJson.Write(writer, host, function));
    }

    /// <summary>
    /// FunctionVersion=ALL: every function's $LATEST and published versions, each with its qualified FunctionArn, which
    /// is also the marker.
    /// </summary>
    private static Task AllVersionsAsync(FunctionHost host, HttpContext context, string functionVersion)
    {
        if (functionVersion != "ALL")
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{functionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]");
        }

        ListPage paging = ListPage.Read(context);
        List<FunctionDefinition> all = [];
        foreach (FunctionDefinition function in host.ListFunctions())
        {
            all.AddRange(host.ListVersions(function.Name));
        }

        (List<FunctionDefinition> page, string? nextMarker) = paging.Take(all, v => host.Arn(v.Name) + ":" + v.Version);
        return ListPage.WriteAsync(context, "Functions", page, nextMarker, (writer, version) => FunctionConfigurationJson.Write(writer, host, version, version.Version));
    }
}
