using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>One step of a document path: a map member name, or a list index.</summary>
internal readonly record struct PathElement(string? Name, int Index)
{
    public bool IsIndex => Name is null;

    public override string ToString() => Name ?? "[" + Index + "]";
}

/// <summary>How two document paths in one expression relate, as AWS judges them (UpdateExpression, ProjectionExpression).</summary>
internal enum PathRelation
{
    /// <summary>They part at a step where both name different map members or list indexes.</summary>
    Distinct,
    /// <summary>One is the other, or a prefix of it (<c>a</c> and <c>a.b</c>).</summary>
    Overlap,
    /// <summary>At the same step one reads a map member and the other a list index (<c>a.b</c> and <c>a[1]</c>).</summary>
    Conflict,
}

/// <summary>A document path such as <c>a.b[2].c</c>, with placeholders already resolved to real names.</summary>
internal sealed class AttributePath(List<PathElement> elements)
{
    public List<PathElement> Elements { get; } = elements;

    public string TopLevelName => Elements[0].Name!;

    /// <summary>The value at this path in an item, or null when any step is missing or of the wrong type.</summary>
    public AttributeValue? Resolve(Dictionary<string, AttributeValue>? item)
    {
        if (item is null || !item.TryGetValue(TopLevelName, out var current)) return null;
        for (int i = 1; i < Elements.Count; i++)
        {
            var step = Elements[i];
            if (step.IsIndex)
            {
                if (current.Type != AttributeType.L || step.Index >= current.L.Count) return null;
                current = current.L[step.Index];
            }
            else
            {
                if (current.Type != AttributeType.M || !current.M.TryGetValue(step.Name!, out var next)) return null;
                current = next;
            }
        }
        return current;
    }

    /// <summary>The same path with its last step replaced by another list index.</summary>
    public AttributePath WithLastIndex(int index) => WithIndexAt(Elements.Count - 1, index);

    /// <summary>The same path with the list index at <paramref name="position"/> replaced.</summary>
    public AttributePath WithIndexAt(int position, int index)
    {
        var elements = new List<PathElement>(Elements) { [position] = new PathElement(null, index) };
        return new AttributePath(elements);
    }

    /// <summary>
    /// Walks the common steps: the first step where one path indexes a list and the other names a map member is a
    /// conflict (no document could hold both); a step where they differ otherwise makes them distinct; running out of
    /// steps without either means one path is the other or contains it.
    /// </summary>
    public static PathRelation Relate(AttributePath one, AttributePath two)
    {
        int common = Math.Min(one.Elements.Count, two.Elements.Count);
        for (int k = 0; k < common; k++)
        {
            if (one.Elements[k].IsIndex != two.Elements[k].IsIndex) return PathRelation.Conflict;
            if (one.Elements[k] != two.Elements[k]) return PathRelation.Distinct;
        }
        return PathRelation.Overlap;
    }

    /// <summary>AWS's message for two paths that overlap or conflict, without the "Invalid ...Expression: " prefix.</summary>
    public static string RelationMessage(PathRelation relation, AttributePath one, AttributePath two) =>
        "Two document paths " + (relation == PathRelation.Conflict ? "conflict" : "overlap")
        + " with each other; must remove or rewrite one of these paths; path one: " + one + ", path two: " + two;

    /// <summary>AWS prints paths in overlap errors as <c>[a, b, [2]]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Elements) + "]";
}
