using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>An index (or the table itself, <see cref="Name"/> null) as the model sees it: its keys and its projection.</summary>
internal sealed record ModelIndex(string? Name, string Hash, string? Range, string Projection, string[] Include, bool Global)
{
    public string Describe => Name ?? "table";
}

/// <summary>
/// One of the fuzz's table shapes: a hash and range key of some type (S, N or B), an LSI on <c>lsk</c>, a sparse GSI on
/// <c>g1h</c>/<c>g1r</c> (S hash, N range) and a hash-only GSI on <c>g2h</c> (N), whose large tie groups exercise
/// the table-key tie-break in LastEvaluatedKey. Each shape takes a different projection for each index, so the three
/// together cover KEYS_ONLY, INCLUDE and ALL on every kind of index.
/// </summary>
internal sealed record ModelTableShape(string Name, string HashType, string RangeType, string LsiType, string[] Projections)
{
    public static ModelTableShape[] All(string prefix) =>
    [
        new(prefix + "-sn", "S", "N", "B", ["KEYS_ONLY", "INCLUDE", "ALL"]),
        new(prefix + "-nb", "N", "B", "S", ["INCLUDE", "ALL", "KEYS_ONLY"]),
        new(prefix + "-bs", "B", "S", "N", ["ALL", "KEYS_ONLY", "INCLUDE"]),
    ];

    /// <summary>INCLUDE projections name a few non-key attributes, one of which (a) takes every type.</summary>
    private static readonly string[] Included = ["a", "cnt", "lst"];

    public ModelIndex Table => new(null, "pk", "sk", "ALL", [], false);

    public ModelIndex[] Indexes =>
    [
        new("lsi", "pk", "lsk", Projections[0], Projections[0] == "INCLUDE" ? Included : [], false),
        new("gsi1", "g1h", "g1r", Projections[1], Projections[1] == "INCLUDE" ? Included : [], true),
        new("gsi2", "g2h", null, Projections[2], Projections[2] == "INCLUDE" ? Included : [], true),
    ];

    public string TypeOfKey(string attribute) => attribute switch
    {
        "pk" => HashType,
        "sk" => RangeType,
        "lsk" => LsiType,
        "g1h" => "S",
        "g1r" or "g2h" => "N",
        _ => throw new ArgumentOutOfRangeException(nameof(attribute)),
    };

    public CreateTableRequest CreateRequest()
    {
        static Projection Project(ModelIndex index) => new()
        {
            ProjectionType = new ProjectionType(index.Projection),
            NonKeyAttributes = index.Projection == "INCLUDE" ? [.. index.Include] : null,
        };

        ModelIndex[] indexes = Indexes;
        return new CreateTableRequest
        {
            TableName = Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
            AttributeDefinitions = new[] { "pk", "sk", "lsk", "g1h", "g1r", "g2h" }
                .Select(a => new AttributeDefinition(a, new ScalarAttributeType(TypeOfKey(a)))).ToList(),
            LocalSecondaryIndexes =
            [
                new() { IndexName = "lsi", KeySchema = [new("pk", KeyType.HASH), new("lsk", KeyType.RANGE)], Projection = Project(indexes[0]) },
            ],
            GlobalSecondaryIndexes =
            [
                new() { IndexName = "gsi1", KeySchema = [new("g1h", KeyType.HASH), new("g1r", KeyType.RANGE)], Projection = Project(indexes[1]) },
                new() { IndexName = "gsi2", KeySchema = [new("g2h", KeyType.HASH)], Projection = Project(indexes[2]) },
            ],
        };
    }
}

/// <summary>
/// The reference the store is checked against: each table a plain dictionary from the canonical text of an item's
/// primary key to the item (numbers canonical), with DynamoDB's documented semantics for what an index holds, projects
/// and in which order a Query returns it.
/// </summary>
internal sealed class StoreModel
{
    public StoreModel(IEnumerable<ModelTableShape> shapes)
    {
        foreach (ModelTableShape shape in shapes)
        {
            Tables[shape.Name] = new ModelTable(shape);
        }
    }

    public Dictionary<string, ModelTable> Tables { get; } = new(StringComparer.Ordinal);
}

internal sealed class ModelTable(ModelTableShape shape)
{
    public ModelTableShape Shape { get; } = shape;

    public Dictionary<string, Dictionary<string, AttributeValue>> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>Two keys are the same item when their values are equal: 1E2 and 100 name one item.</summary>
    public static string KeyOf(IReadOnlyDictionary<string, AttributeValue> item) => Render(Canonical(item["pk"])) + "|" + Render(Canonical(item["sk"]));

    public Dictionary<string, AttributeValue>? Get(IReadOnlyDictionary<string, AttributeValue> key) => Items.GetValueOrDefault(KeyOf(key));

    public void Put(Dictionary<string, AttributeValue> item) => Items[KeyOf(item)] = Canonical(item);

    public void Delete(IReadOnlyDictionary<string, AttributeValue> key) => Items.Remove(KeyOf(key));

    /// <summary>An item is in an index only when it has every key attribute of that index (sparse indexes).</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> In(ModelIndex index) =>
        Items.Values.Where(item => item.ContainsKey(index.Hash) && (index.Range is null || item.ContainsKey(index.Range)));

    /// <summary>What an index returns of an item: the table's keys, the index's keys, and the projected attributes.</summary>
    public static Dictionary<string, AttributeValue> Project(ModelIndex index, Dictionary<string, AttributeValue> item)
    {
        if (index.Projection == "ALL")
        {
            return item;
        }

        HashSet<string> kept = ["pk", "sk", index.Hash, .. index.Include];
        if (index.Range is not null)
        {
            kept.Add(index.Range);
        }

        return item.Where(p => kept.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>
    /// The items a Query reads, in order, as groups: within a group the index's sort key is equal, and DynamoDB leaves
    /// the order of such ties unspecified (only the table's own primary key is unique), so a group compares as a
    /// multiset. The table itself has groups of one. <paramref name="keep"/> is the sort key condition (and where the
    /// query starts).
    /// </summary>
    public List<(string SortKey, List<Dictionary<string, AttributeValue>> Items)> Query(ModelIndex index, AttributeValue hash, Func<Dictionary<string, AttributeValue>, bool> keep, bool forward)
    {
        List<Dictionary<string, AttributeValue>> matching = In(index).Where(item => SameValue(item[index.Hash], hash) && keep(item)).ToList();
        if (index.Range is not null)
        {
            matching.Sort((x, y) => CompareKeys(x[index.Range], y[index.Range]));
        }

        if (!forward)
        {
            matching.Reverse();
        }

        List<(string SortKey, List<Dictionary<string, AttributeValue>> Items)> groups = [];
        foreach (Dictionary<string, AttributeValue> item in matching)
        {
            string sortKey = index.Range is null ? "" : Render(item[index.Range]);
            if (groups.Count == 0 || groups[^1].SortKey != sortKey)
            {
                groups.Add((sortKey, []));
            }

            groups[^1].Items.Add(item);
        }

        return groups;
    }
}
