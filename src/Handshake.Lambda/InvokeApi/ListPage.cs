using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>Marker and MaxItems of the list operations that page by the last item returned (functions, versions, aliases).</summary>
internal readonly record struct ListPage(string? Marker, int MaxItems)
{
    /// <summary>Lambda answers at most 50 items a page, whatever MaxItems asks.</summary>
    private const int PageLimit = 50;

    /// <exception cref="LambdaException">ValidationException for a MaxItems that is not an integer from 1 to
    /// <paramref name="maxAllowed"/> (the operation's model: 10,000 for most lists).</exception>
    public static ListPage Read(HttpContext context, int maxAllowed = 10000)
    {
        string? marker = context.Request.Query["Marker"].ToString() is { Length: > 0 } m ? m : null;
        int maxItems = PageLimit;
        if (context.Request.Query["MaxItems"].ToString() is { Length: > 0 } max)
        {
            if (!int.TryParse(max, out maxItems))
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must be a valid integer");
            }

            if (maxItems < 1 || maxItems > maxAllowed)
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value {(maxItems < 1 ? "greater than or equal to 1" : "less than or equal to " + maxAllowed)}");
            }

            maxItems = Math.Min(maxItems, PageLimit);
        }

        return new ListPage(marker, maxItems);
    }

    /// <summary>
    /// The items after the marker's, and the next marker or null. When the marker's item is gone (a version or an
    /// alias deleted between two pages), the page starts at the first item <paramref name="sortsAfter"/> the marker,
    /// so that no item is listed twice; without it, at the first item.
    /// </summary>
    public (List<T> Page, string? NextMarker) Take<T>(IReadOnlyList<T> all, Func<T, string> key, Func<T, string, bool>? sortsAfter = null)
    {
        int start = 0;
        if (Marker is not null)
        {
            start = -1;
            for (int i = 0; i < all.Count; i++)
            {
                if (key(all[i]) == Marker)
                {
                    start = i + 1;
                    break;
                }
            }

            if (start < 0)
            {
                start = 0;
                while (sortsAfter is not null && start < all.Count && !sortsAfter(all[start], Marker))
                {
                    start++;
                }
            }
        }

        List<T> page = [];
        for (int i = start; i < all.Count && page.Count < MaxItems; i++)
        {
            page.Add(all[i]);
        }

        return (page, start + page.Count < all.Count ? key(page[^1]) : null);
    }

    /// <summary>The answer: <c>{"MEMBER":[...],"NextMarker":"..."}</c>, NextMarker only when there is a next page.</summary>
    public static Task WriteAsync<T>(HttpContext context, string member, List<T> page, string? nextMarker, Action<Utf8JsonWriter, T> write) =>
        JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray(member);
            foreach (T item in page)
            {
                write(writer, item);
            }

            writer.WriteEndArray();
            if (nextMarker is not null)
            {
                writer.WriteString("NextMarker", nextMarker);
            }

            writer.WriteEndObject();
        });
}
