using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Applies a ProjectionExpression: builds a new item with only the requested document paths. Nested map members
/// keep their structure. The elements a projection picks from one list are gathered into a new list in their index
/// order, whatever order the expression names them in (<c>l[2], l[0]</c> gives <c>[l0, l2]</c>), and paths through
/// the same element build that one element (<c>l[0].a, l[0].b</c> gives <c>[{a, b}]</c>), as DynamoDB answers
/// (captures in ExtendDB PR #171 and dynoxide #126). A path that does not resolve adds nothing, not even an empty
/// list or map around it.
/// </summary>
internal static class Projection
{
    public static Dictionary<string, AttributeValue> Apply(Dictionary<string, AttributeValue> item, List<AttributePath> paths)
    {
        var result = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var roots = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!roots.TryGetValue(path.TopLevelName, out var node)) roots[path.TopLevelName] = node = new Node();
            node.Add(path.Elements, 1);
        }
        foreach (var (name, node) in roots)
            if (item.TryGetValue(name, out var source) && Project(source, node) is { } projected)
                result[name] = projected;
        return result;
    }

    // The part of `source` that `node` selects, or null when nothing in it resolves.
    private static AttributeValue? Project(AttributeValue source, Node node)
    {
        if (node.Whole) return source;
        if (node.Elements is { } elements && source.Type == AttributeType.L)
        {
            List<AttributeValue>? picked = null;
            foreach (var (index, child) in elements)
            {
                if (index >= source.L.Count) break;
                if (Project(source.L[index], child) is { } value) (picked ??= []).Add(value);
            }
            return picked is null ? null : AttributeValue.FromList(picked);
        }
        if (node.Members is { } members && source.Type == AttributeType.M)
        {
            Dictionary<string, AttributeValue>? picked = null;
            foreach (var (name, child) in members)
                if (source.M.TryGetValue(name, out var member) && Project(member, child) is { } value)
                    (picked ??= new Dictionary<string, AttributeValue>(StringComparer.Ordinal))[name] = value;
            return picked is null ? null : AttributeValue.FromMap(picked);
        }
        return null;
    }

    /// <summary>The paths below one attribute merged into a tree: list indexes kept sorted, map members by name.</summary>
    private sealed class Node
    {
        public bool Whole;
        public SortedDictionary<int, Node>? Elements;
        public Dictionary<string, Node>? Members;

        public void Add(List<PathElement> path, int depth)
        {
            if (depth == path.Count) { Whole = true; return; }
            var step = path[depth];
            Node? child;
            if (step.IsIndex)
            {
                Elements ??= [];
                if (!Elements.TryGetValue(step.Index, out child)) Elements[step.Index] = child = new Node();
            }
            else
            {
                Members ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                if (!Members.TryGetValue(step.Name!, out child)) Members[step.Name!] = child = new Node();
            }
            child.Add(path, depth + 1);
        }
    }
}
