using Handshake.Lambda.EventSources;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2015-03-31/event-source-mappings/?FunctionName=&amp;EventSourceArn=&amp;Marker=&amp;MaxItems=: in creation
/// order, pages of at most 100 (Lambda's documented page size). The marker (opaque to clients) is the creation number of
/// the last mapping returned, so a page goes on correctly even when that mapping has been deleted since.
/// </summary>
internal static class ListEventSourceMappings
{
    private const int PageLimit = 100;

    public static Task HandleAsync(FunctionHost host, HttpContext context)
    {
        IQueryCollection query = context.Request.Query;
        long after = 0;
        if (query["Marker"].ToString() is { Length: > 0 } marker && !long.TryParse(marker, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after))
        {
            // Inferred wording: Lambda's answer to a marker it did not issue is not documented.
            throw LambdaException.InvalidParameter("Invalid marker: " + marker);
        }

        string? arn = query["EventSourceArn"].ToString() is { Length: > 0 } a ? a : null;
        string? function = null;
        string? functionQualifier = null;
        if (query["FunctionName"].ToString() is { Length: > 0 } f)
        {
            function = LambdaHttpEndpoint.Resolve(host, f, ref functionQualifier);
        }

        int maxItems = PageLimit;
        if (query["MaxItems"].ToString() is { Length: > 0 } max)
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

        List<EventSourceMappingView> page = [];
        string? nextMarker = null;
        foreach (EventSourceMappingView mapping in host.EventSourceMappings.List())
        {
            if (mapping.Order <= after)
            {
                continue;
            }

            // A function's name lists the mappings of all its versions and aliases; a qualified name, that one's only
            // (inferred: Lambda documents the qualified forms, not how it filters by them).
            if ((arn is not null && mapping.EventSourceArn != arn) || (function is not null && mapping.Settings.FunctionName != function)
                || (functionQualifier is not null && (mapping.Settings.Qualifier ?? Functions.FunctionDefinition.LatestVersion) != functionQualifier))
            {
                continue;
            }

            if (page.Count == maxItems)
            {
                nextMarker = page[^1].Order.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            }

            page.Add(mapping);
        }

        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("EventSourceMappings");
            foreach (EventSourceMappingView mapping in page)
            {
                EventSourceMappingJson.Write(writer, host, mapping);
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
