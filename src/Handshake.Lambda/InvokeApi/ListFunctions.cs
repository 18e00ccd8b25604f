using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/functions/?Marker=&amp;MaxItems=: pages of at most 50, whatever MaxItems asks (as Lambda documents);
/// the marker is the last name returned. FunctionVersion=ALL lists every version of every function.
/// </summary>
internal static class ListFunctions
{
    private const int PageLimit = 50;

    public static Task HandleAsync(FunctionHost host, HttpContext context)
    {
        if (context.Request.Query["FunctionVersion"].ToString() is { Length: > 0 } functionVersion)
        {
            return AllVersionsAsync(host, context, functionVersion);
        }

        string? marker = context.Request.Query["Marker"];
        int maxItems = PageLimit;
        if (context.Request.Query["MaxItems"].ToString() is { Length: > 0 } max)
        {
            if (!int.TryParse(max, out maxItems))
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must be a valid integer");
            }

            if (maxItems is < 1 or > 10000)
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value {(maxItems < 1 ? "greater than or equal to 1" : "less than or equal to 10000")}");
            }

            maxItems = Math.Min(maxItems, PageLimit);
        }

        IReadOnlyList<FunctionDefinition> all = host.ListFunctions();
        List<FunctionDefinition> page = [];
        string? nextMarker = null;
        foreach (FunctionDefinition function in all)
        {
            if (marker is not null && string.CompareOrdinal(function.Name, marker) <= 0)
            {
                continue;
            }

            if (page.Count == maxItems)
            {
                nextMarker = page[^1].Name;
                break;
            }

            page.Add(function);
        }

        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Functions");
            foreach (FunctionDefinition function in page)
            {
                FunctionConfigurationJson.Write(writer, host, function);
            }

            writer.WriteEndArray();
            if (nextMarker is not null)
            {
                writer.WriteString("NextMarker", nextMarker);
            }

            writer.WriteEndObject();
        });
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
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Functions");
            foreach (FunctionDefinition version in page)
            {
                FunctionConfigurationJson.Write(writer, host, version, version.Version);
            }

            writer.WriteEndArray();
            if (nextMarker is not null)
            {
                writer.WriteString("NextMarker", nextMarker);
            }

            writer.WriteEndObject();
        });
    }
}
