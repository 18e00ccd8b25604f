using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>One step of a document path: a map member name, or a list index.</summary>
internal readonly record struct PathElement(string? Name, int Index)
{
    public bool IsIndex => Name is null;

    public override string ToString() => Name ?? "[" + Index + "]";
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

    /// <summary>AWS prints paths in overlap errors as <c>[a, b, [2]]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Elements) + "]";
}
