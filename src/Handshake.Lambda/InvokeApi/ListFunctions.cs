using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/?Marker=&amp;MaxItems=: pages of 50 by default; the marker is the last name returned.</summary>
internal static class ListFunctions
{
    public static Task HandleAsync(FunctionHost host, HttpContext context)
    {
        string? marker = context.Request.Query["Marker"];
        int maxItems = 50;
        if (context.Request.Query["MaxItems"].ToString() is { Length: > 0 } max && (!int.TryParse(max, out maxItems) || maxItems is < 1 or > 10000))
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000");
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
}
