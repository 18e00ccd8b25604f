using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/functions/{name}/versions?Marker=&amp;MaxItems=: $LATEST first, then the published versions in order,
/// each with its qualified FunctionArn; the marker is the last version returned.
/// </summary>
internal static class ListVersionsByFunction
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        ListPage paging = ListPage.Read(context);
        string functionName = LambdaHttpEndpoint.Find(host, name, null).Name;
        (List<FunctionDefinition> page, string? nextMarker) = paging.Take(host.ListVersions(functionName), static v => v.Version,
            static (v, marker) => VersionOrder(v.Version) > VersionOrder(marker));
        return ListPage.WriteAsync(context, "Versions", page, nextMarker, (writer, version) => FunctionConfigurationJson.Write(writer, host, version, version.Version));
    }

    /// <summary>The list's order: $LATEST (or a marker that is no version) first, then by number.</summary>
    private static long VersionOrder(string version) =>
        long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long number) ? number : -1;
}
