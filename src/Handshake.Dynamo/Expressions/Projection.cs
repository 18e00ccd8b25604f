using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Applies a ProjectionExpression: builds a new item with only the requested document paths. Nested map members
/// keep their structure; list elements picked by index are gathered in index order, as DynamoDB returns them.
/// </summary>
internal static class Projection
{
    public static Dictionary<string, AttributeValue> Apply(Dictionary<string, AttributeValue> item, List<AttributePath> paths)
    {
        var result = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (path.Elements.Count == 1)
            {
                if (item.TryGetValue(path.TopLevelName, out var value)) result[path.TopLevelName] = value;
                continue;
            }
            if (!item.TryGetValue(path.TopLevelName, out var source)) continue;
            result.TryGetValue(path.TopLevelName, out var target);
            var projected = Project(source, target, path.Elements, 1);
            if (projected is not null) result[path.TopLevelName] = projected;
        }
        return result;
    }

    // Copies the part of `source` named by elements[depth..] into `target` (the partial result so far, or null).
    private static AttributeValue? Project(AttributeValue source, AttributeValue? target, List<PathElement> elements, int depth)
    {
        if (depth == elements.Count) return source;
        var step = elements[depth];
        if (step.IsIndex)
        {
            if (source.Type != AttributeType.L || step.Index >= source.L.Count) return target;
            var picked = target is { Type: AttributeType.L } ? target : AttributeValue.FromList([]);
            var child = Project(source.L[step.Index], null, elements, depth + 1);
            if (child is not null) picked.L.Add(child);
            return picked;
        }
        if (source.Type != AttributeType.M || !source.M.TryGetValue(step.Name!, out var member)) return target;
        var map = target is { Type: AttributeType.M } ? target : AttributeValue.FromMap(new Dictionary<string, AttributeValue>(StringComparer.Ordinal));
        map.M.TryGetValue(step.Name!, out var existing);
        var projected = Project(member, existing, elements, depth + 1);
        if (projected is not null) map.M[step.Name!] = projected;
        return map.M.Count > 0 ? map : target;
    }
}
