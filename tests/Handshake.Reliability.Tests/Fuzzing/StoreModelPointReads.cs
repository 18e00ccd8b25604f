using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Reliability.Tests.Infrastructure;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// Reads by key against the model: GetItem of every item the model has and of keys it may not have (a stray item in the
/// store shows there), each key spelled anew (numbers find their item by value), sometimes with a ProjectionExpression;
/// BatchGetItem, whose keys equal by value are duplicates; TransactGetItems, answered in request order.
/// </summary>
internal sealed class StoreModelPointReads(IAmazonDynamoDB client, StoreModelGenerator g)
{
    private const string Duplicates = "error ValidationException: Provided list of item keys contains duplicates";
    private const string MultipleOperations = "error ValidationException: Transaction request cannot include multiple operations on one item";

    public async Task<string?> RunAsync(ModelTable table)
    {
        List<Dictionary<string, AttributeValue>> keys = table.Items.Values
            .Select(item => new Dictionary<string, AttributeValue> { ["pk"] = g.Respell(item["pk"]), ["sk"] = g.Respell(item["sk"]) })
            .Concat(Enumerable.Range(0, 6).Select(_ => g.PrimaryKey(table.Shape)))
            .ToList();
        foreach (Dictionary<string, AttributeValue> key in keys)
        {
            ExpressionParts parts = new();
            ModelProjection? projection = g.Chance(0.2) ? ModelProjection.Generate(g, parts) : null;
            string actual;
            try
            {
                actual = Render((await client.GetItemAsync(new GetItemRequest
                {
                    TableName = table.Shape.Name,
                    Key = key,
                    ConsistentRead = true,
                    ProjectionExpression = projection?.Text,
                    ExpressionAttributeNames = parts.NamesOrNull,
                }).WaitAsync(Timeouts.Default)).Item);
            }
            catch (AmazonDynamoDBException e)
            {
                actual = $"error {e.ErrorCode}: {e.Message}";
            }

            Dictionary<string, AttributeValue>? item = table.Get(key);
            string expected = Render(item is null || projection is null ? item : projection.Apply(item));
            if (expected != actual)
            {
                return $"GetItem {table.Shape.Name} Key={Render(key)}" + (projection is null ? "" : $" ProjectionExpression='{projection.Text}' {parts.Describe()}")
                    + $"\n  model: {expected}\n  store: {actual}";
            }
        }

        return await BatchGetAsync(table, keys) ?? await TransactGetAsync(table, keys);
    }

    private List<Dictionary<string, AttributeValue>> Some(List<Dictionary<string, AttributeValue>> keys, int most)
    {
        List<Dictionary<string, AttributeValue>> chosen = [];
        foreach (Dictionary<string, AttributeValue> key in keys.OrderBy(_ => g.Random.Next()))
        {
            if (chosen.Count < most && !chosen.Any(k => ModelTable.KeyOf(k) == ModelTable.KeyOf(key)))
            {
                chosen.Add(key);
            }
        }

        if (g.Chance(0.15))
        {
            // The same key again, spelled anew: a duplicate however it is written.
            Dictionary<string, AttributeValue> again = g.Pick(chosen);
            chosen.Add(new() { ["pk"] = g.Respell(again["pk"]), ["sk"] = g.Respell(again["sk"]) });
        }

        return chosen;
    }

    private static bool HasDuplicates(List<Dictionary<string, AttributeValue>> keys) => keys.Select(ModelTable.KeyOf).Distinct(StringComparer.Ordinal).Count() < keys.Count;

    private async Task<string?> BatchGetAsync(ModelTable table, List<Dictionary<string, AttributeValue>> keys)
    {
        List<Dictionary<string, AttributeValue>> chosen = Some(keys, 10);
        string expected = HasDuplicates(chosen)
            ? Duplicates
            : "ok " + string.Join(";", chosen.Select(table.Get).OfType<Dictionary<string, AttributeValue>>().Select(Render).Order(StringComparer.Ordinal)) + " unprocessed 0";
        string actual;
        try
        {
            BatchGetItemResponse response = await client.BatchGetItemAsync(new BatchGetItemRequest
            {
                RequestItems = new() { [table.Shape.Name] = new KeysAndAttributes { Keys = chosen, ConsistentRead = true } },
            }).WaitAsync(Timeouts.Default);
            actual = "ok " + string.Join(";", (response.Responses?.GetValueOrDefault(table.Shape.Name) ?? []).Select(Render).Order(StringComparer.Ordinal))
                + " unprocessed " + (response.UnprocessedKeys?.Sum(t => t.Value.Keys.Count) ?? 0);
        }
        catch (AmazonDynamoDBException e)
        {
            actual = $"error {e.ErrorCode}: {e.Message}";
        }

        return expected == actual ? null : $"BatchGetItem {table.Shape.Name} Keys={string.Join(",", chosen.Select(Render))}\n  model: {expected}\n  store: {actual}";
    }

    private async Task<string?> TransactGetAsync(ModelTable table, List<Dictionary<string, AttributeValue>> keys)
    {
        List<Dictionary<string, AttributeValue>> chosen = Some(keys, 4);
        string expected = HasDuplicates(chosen) ? MultipleOperations : "ok " + string.Join(";", chosen.Select(k => Render(table.Get(k))));
        string actual;
        try
        {
            TransactGetItemsResponse response = await client.TransactGetItemsAsync(new TransactGetItemsRequest
            {
                TransactItems = chosen.Select(k => new TransactGetItem { Get = new Get { TableName = table.Shape.Name, Key = k } }).ToList(),
            }).WaitAsync(Timeouts.Default);
            actual = "ok " + string.Join(";", (response.Responses ?? []).Select(r => Render(r.Item)));
        }
        catch (AmazonDynamoDBException e)
        {
            actual = $"error {e.ErrorCode}: {e.Message}";
        }

        return expected == actual ? null : $"TransactGetItems {table.Shape.Name} Keys={string.Join(",", chosen.Select(Render))}\n  model: {expected}\n  store: {actual}";
    }
}
