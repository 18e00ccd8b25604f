using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>AWS rejects projections whose paths overlap (one is a prefix of, or equal to, another).</summary>
internal static class ProjectionChecks
{
    public static List<AttributePath> CheckOverlaps(List<AttributePath> paths)
    {
        for (int i = 0; i < paths.Count; i++)
        {
            for (int j = i + 1; j < paths.Count; j++)
            {
                if (IsPrefix(paths[i], paths[j]) || IsPrefix(paths[j], paths[i]))
                    throw DynamoException.Validation("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                        + paths[i] + ", path two: " + paths[j]);
            }
        }
        return paths;
    }

    private static bool IsPrefix(AttributePath a, AttributePath b)
    {
        if (a.Elements.Count > b.Elements.Count) return false;
        for (int i = 0; i < a.Elements.Count; i++) if (a.Elements[i] != b.Elements[i]) return false;
        return true;
    }
}
