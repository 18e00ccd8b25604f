using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Reliability.Tests.Infrastructure;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The reads that compare the store's whole state with the model's: the reads by key (<see cref="StoreModelPointReads"/>);
/// Query on the table and each index with a random key condition, both directions, paged by Limit through
/// LastEvaluatedKey (sometimes with a filter, a start key of the fuzz's own, a projection); Select COUNT; a parallel Scan
/// of the table and each index whose segments cover every item exactly once. Each returns the first disagreement, or
/// null.
/// </summary>
internal sealed class StoreModelChecks(IAmazonDynamoDB client, StoreModel model, StoreModelGenerator g)
{
    private static readonly int?[] Limits = [null, 1, 2, 3, 7];

    private const string OutsideRange = "The provided starting key does not match the range key predicate";

    public async Task<string?> RunAsync()
    {
        foreach (ModelTable table in model.Tables.Values)
        {
            if (await new StoreModelPointReads(client, g).RunAsync(table) is { } point)
            {
                return point;
            }

            foreach (ModelIndex index in (ModelIndex[])[table.Shape.Table, .. table.Shape.Indexes])
            {
                for (int i = 0; i < 5; i++)
                {
                    if (await QueryAsync(table, index) is { } query)
                    {
                        return query;
                    }
                }
            }

            foreach (ModelIndex index in (ModelIndex[])[table.Shape.Table, .. table.Shape.Indexes])
            {
                if (await ScanAsync(table, index) is { } scan)
                {
                    return scan;
                }
            }
        }

        return null;
    }

    /// <summary>A sort key condition and its meaning; begins_with only where the key is S or B.</summary>
    private (string Text, Func<AttributeValue, bool> Holds) RangeCondition(string type, string name, ExpressionParts parts)
    {
        AttributeValue x = g.Key(type, 8), y = g.Key(type, 8);
        if (CompareKeys(x, y) > 0)
        {
            (x, y) = (y, x);
        }

        string op = type == "N" ? g.Pick<string>(["=", "<", "<=", ">", ">=", "BETWEEN"]) : g.Pick<string>(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]);
        string n = parts.Name(name);
        switch (op)
        {
            case "BETWEEN":
                return ($"{n} BETWEEN {parts.Value(x)} AND {parts.Value(y)}", v => CompareKeys(v, x) >= 0 && CompareKeys(v, y) <= 0);
            case "begins_with":
                AttributeValue prefix = type == "S" ? S(x.S.EnumerateRunes().First().ToString()) : B(Bytes(x)[..1]);
                return ($"begins_with({n}, {parts.Value(prefix)})", v => StoreModelGenerator.BeginsWith(v, prefix));
            default:
                return ($"{n} {op} {parts.Value(x)}", v =>
                {
                    int c = CompareKeys(v, x);
                    return op switch { "=" => c == 0, "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
                });
        }
    }

    private async Task<string?> QueryAsync(ModelTable table, ModelIndex index)
    {
        ModelTableShape shape = table.Shape;
        ExpressionParts parts = new();
        AttributeValue hash = index.Hash switch { "g2h" => g.Attribute(shape, "g2h"), "g1h" => g.Attribute(shape, "g1h"), _ => g.Key(shape.HashType, 4) };
        string keyCondition = $"{parts.Name(index.Hash)} = {parts.Value(hash)}";
        Func<AttributeValue, bool> range = _ => true;
        if (index.Range is not null && g.Chance(0.7))
        {
            (string text, range) = RangeCondition(shape.TypeOfKey(index.Range), index.Range, parts);
            keyCondition += " AND " + text;
        }

        bool forward = g.Chance(0.5);
        int? limit = g.Pick(Limits);
        QueryRequest request = new()
        {
            TableName = shape.Name,
            IndexName = index.Name,
            KeyConditionExpression = keyCondition,
            ScanIndexForward = forward,
            Limit = limit,
            ConsistentRead = !index.Global,
        };

        // On the table: sometimes a filter (Limit counts the items read before it), a start key that need not exist,
        // a projection. On the LSI: sometimes every attribute (read through to the table whatever the projection).
        ModelCondition? filter = null;
        Func<Dictionary<string, AttributeValue>, bool> after = _ => true;
        bool outside = false;
        ModelIndex returned = index;
        ModelProjection? projection = null;
        if (index.Name is null)
        {
            if (g.Chance(0.3))
            {
                filter = g.Condition(parts, keys: false);
                request.FilterExpression = filter.Text;
            }

            if (g.Chance(0.2))
            {
                AttributeValue start = g.Key(shape.RangeType, 8);
                request.ExclusiveStartKey = new() { ["pk"] = g.Respell(hash), ["sk"] = start };
                after = item => CompareKeys(item["sk"], start) * (forward ? 1 : -1) > 0;
                outside = !range(start);
            }

            if (g.Chance(0.25))
            {
                projection = ModelProjection.Generate(g, parts);
                request.ProjectionExpression = projection.Text;
            }
        }
        else if (index.Name == "lsi" && g.Chance(0.3))
        {
            request.Select = Select.ALL_ATTRIBUTES;
            returned = index with { Projection = "ALL" };
        }

        request.ExpressionAttributeNames = parts.Names;
        request.ExpressionAttributeValues = parts.Values;
        string describe = $"Query {shape.Name} index={index.Describe} ({index.Projection}) KeyConditionExpression='{keyCondition}'"
            + (filter is null ? "" : $" FilterExpression='{filter.Text}'") + (projection is null ? "" : $" ProjectionExpression='{projection.Text}'")
            + (request.ExclusiveStartKey is null ? "" : $" ExclusiveStartKey={Render(request.ExclusiveStartKey)}")
            + (request.Select is null ? "" : $" Select={request.Select.Value}") + $" {parts.Describe()} ScanIndexForward={forward} Limit={limit}";
        List<(string SortKey, List<Dictionary<string, AttributeValue>> Items)> read = table.Query(index, hash, item => (index.Range is null || range(item[index.Range])) && after(item), forward);
        int scanned = read.Sum(group => group.Items.Count);
        List<(string SortKey, List<string> Rows)> expected = read
            .Select(group => (group.SortKey, group.Items.Where(item => filter is null || filter.Holds(item))
                .Select(item => Render(projection is null ? ModelTable.Project(returned, item) : projection.Apply(item))).ToList()))
            .Where(group => group.Item2.Count > 0)
            .ToList();
        int total = expected.Sum(group => group.Rows.Count);

        // The LastEvaluatedKey of an index holds the index's keys and the table's: without the table's, a page boundary
        // inside a tie group cannot resume at the right item.
        string[] lekNames = new[] { "pk", "sk", index.Hash, index.Range }.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        Dictionary<string, AttributeValue>? firstKey = request.ExclusiveStartKey;
        List<Dictionary<string, AttributeValue>> rows = [];
        int pages = 0, scannedCount = 0;
        do
        {
            QueryResponse response;
            try
            {
                response = await client.QueryAsync(request).WaitAsync(Timeouts.Default);
            }
            catch (AmazonDynamoDBException e)
            {
                // A start key outside the sort key condition is refused (AWS checks it against the condition).
                return pages == 0 && outside && e.ErrorCode == "ValidationException" && e.Message == OutsideRange
                    ? null
                    : $"{describe}: page {pages + 1} (ExclusiveStartKey={Render(request.ExclusiveStartKey)}): error {e.ErrorCode}: {e.Message}";
            }

            if (outside)
            {
                return $"{describe}: answered a start key outside the sort key condition; AWS refuses it: {OutsideRange}";
            }

            List<Dictionary<string, AttributeValue>> page = response.Items ?? [];
            rows.AddRange(page);
            scannedCount += response.ScannedCount ?? 0;
            if (++pages > scanned + 2 || (limit is { } l && response.ScannedCount > l) || response.Count != page.Count)
            {
                return $"{describe}: page {pages} has {page.Count} items, Count {response.Count}, ScannedCount {response.ScannedCount} (model: {scanned} read in all)";
            }

            if (response.LastEvaluatedKey is { Count: > 0 } lek && !lek.Keys.Order(StringComparer.Ordinal).SequenceEqual(lekNames))
            {
                return $"{describe}: LastEvaluatedKey {Render(lek)} is not the keys {string.Join(",", lekNames)}";
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        if (Ordered(expected, rows, projection is null ? index.Range : null) is { } mismatch)
        {
            return $"{describe}: {mismatch}";
        }

        if (scannedCount != scanned)
        {
            return $"{describe}: ScannedCount totals {scannedCount}, model read {scanned}";
        }

        if (projection is not null)
        {
            return null;
        }

        request.Limit = null;
        request.ExclusiveStartKey = firstKey;
        request.Select = Select.COUNT;
        // A COUNT page stops at 1 MB read, as any page does: the counts add up over the pages.
        int counted = 0;
        for (int page = 0; page <= scanned + 2; page++)
        {
            QueryResponse count = await client.QueryAsync(request).WaitAsync(Timeouts.Default);
            counted += count.Count ?? 0;
            request.ExclusiveStartKey = count.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            if (request.ExclusiveStartKey is null)
            {
                return counted == total ? null : $"{describe} Select=COUNT: store {counted}, model {total}";
            }
        }

        return $"{describe} Select=COUNT: still paging after {scanned + 3} pages";
    }

    /// <summary>
    /// The rows, group by group: each group's sort key equal, its rows equal as a multiset (ties are unordered). With a
    /// ProjectionExpression (<paramref name="range"/> null) the rows are the table's, one a group, compared in order.
    /// </summary>
    private static string? Ordered(List<(string SortKey, List<string> Rows)> expected, List<Dictionary<string, AttributeValue>> rows, string? range)
    {
        int at = 0;
        foreach ((string sortKey, List<string> group) in expected)
        {
            List<Dictionary<string, AttributeValue>> actual = rows.Skip(at).Take(group.Count).ToList();
            at += group.Count;
            bool keysMatch = actual.Count == group.Count && (range is null || actual.All(r => (r.TryGetValue(range, out AttributeValue? v) ? Render(v) : "(none)") == sortKey));
            if (!keysMatch || !actual.Select(Render).Order(StringComparer.Ordinal).SequenceEqual(group.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                return Listing("model", expected.SelectMany(e => e.Rows)) + Listing("store", rows.Select(Render));
            }
        }

        return at == rows.Count ? null : Listing("model", expected.SelectMany(e => e.Rows)) + Listing("store", rows.Select(Render));
    }

    internal static string Listing(string who, IEnumerable<string> rows)
    {
        StringBuilder b = new($"\n  {who}:");
        foreach (string row in rows)
        {
            b.Append("\n    ").Append(row);
        }

        return b.ToString();
    }

    private async Task<string?> ScanAsync(ModelTable table, ModelIndex index)
    {
        int segments = g.Pick([1, 2, 3, 3, 4]);
        int? limit = g.Pick(Limits);
        // On the table, sometimes a filter (Limit and ScannedCount count what is read before it) and a projection.
        ExpressionParts parts = new(), projected = new("p");
        ModelCondition? filter = index.Name is null && g.Chance(0.3) ? g.Condition(parts) : null;
        ModelProjection? projection = index.Name is null && g.Chance(0.2) ? ModelProjection.Generate(g, projected) : null;
        string describe = $"Scan {table.Shape.Name} index={index.Describe} TotalSegments={segments} Limit={limit}"
            + (filter is null ? "" : $" FilterExpression='{filter.Text}'") + (projection is null ? "" : $" ProjectionExpression='{projection.Text}'") + " " + parts.Describe() + " " + projected.Describe();
        int read = table.In(index).Count();
        List<string> expected = table.In(index).Where(item => filter is null || filter.Holds(item))
            .Select(item => Render(projection is null ? ModelTable.Project(index, item) : projection.Apply(item))).Order(StringComparer.Ordinal).ToList();
        List<string> all = [];
        Dictionary<string, int> segmentOfHash = [];
        int scannedCount = 0;
        for (int segment = 0; segment < segments; segment++)
        {
            ScanRequest request = new()
            {
                TableName = table.Shape.Name,
                IndexName = index.Name,
                Segment = segment,
                TotalSegments = segments,
                Limit = limit,
                FilterExpression = filter?.Text,
                ProjectionExpression = projection?.Text,
                ExpressionAttributeNames = parts.Names.Concat(projected.Names).ToDictionary() is { Count: > 0 } names ? names : null,
                ExpressionAttributeValues = parts.ValuesOrNull,
            };
            int pages = 0;
            do
            {
                ScanResponse response;
                try
                {
                    response = await client.ScanAsync(request).WaitAsync(Timeouts.Default);
                }
                catch (AmazonDynamoDBException e)
                {
                    return $"{describe}: segment {segment} page {pages + 1}: error {e.ErrorCode}: {e.Message}";
                }

                scannedCount += response.ScannedCount ?? 0;
                if ((limit is { } l && response.ScannedCount > l) || response.Count != (response.Items?.Count ?? 0))
                {
                    return $"{describe}: segment {segment} page {pages + 1} has {response.Items?.Count} items, Count {response.Count}, ScannedCount {response.ScannedCount}";
                }

                foreach (Dictionary<string, AttributeValue> item in response.Items ?? [])
                {
                    all.Add(Render(item));
                    if (projection is not null)
                    {
                        continue;
                    }

                    // A parallel scan puts every item of one partition key in one segment.
                    string hash = Render(item[index.Hash]);
                    if (index.Name is null && segmentOfHash.TryGetValue(hash, out int seen) && seen != segment)
                    {
                        return $"{describe}: partition key {hash} in segments {seen} and {segment}";
                    }

                    segmentOfHash[hash] = segment;
                }

                if (++pages > read + 2)
                {
                    return $"{describe}: segment {segment} still paging after {pages} pages (model: {expected.Count} items)";
                }

                request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (request.ExclusiveStartKey is not null);
        }

        if (!all.Order(StringComparer.Ordinal).SequenceEqual(expected, StringComparer.Ordinal))
        {
            return describe + ": the segments together are not every item exactly once" + Listing("model", expected) + Listing("store", all.Order(StringComparer.Ordinal));
        }

        if (scannedCount != read)
        {
            return $"{describe}: ScannedCount totals {scannedCount}, model read {read}";
        }

        ScanRequest countRequest = new()
        {
            TableName = table.Shape.Name,
            IndexName = index.Name,
            Select = Select.COUNT,
            FilterExpression = filter?.Text,
            ExpressionAttributeNames = parts.NamesOrNull,
            ExpressionAttributeValues = parts.ValuesOrNull,
        };
        int counted = 0;
        for (int page = 0; page <= read + 2; page++)
        {
            ScanResponse count = await client.ScanAsync(countRequest).WaitAsync(Timeouts.Default);
            counted += count.Count ?? 0;
            countRequest.ExclusiveStartKey = count.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            if (countRequest.ExclusiveStartKey is null)
            {
                return counted == expected.Count ? null : $"{describe} Select=COUNT: store {counted}, model {expected.Count}";
            }
        }

        return $"{describe} Select=COUNT: still paging after {read + 3} pages";
    }
}
