using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// AWS rejects a projection whose paths overlap (one is a prefix of, or equal to, another: <c>a, a.b</c>) or conflict
/// (one reads a step as a map member, the other as a list index: <c>a.b, a[1]</c>), by the same rule as an
/// UpdateExpression's actions; the first pair in the order written is reported.
/// </summary>
internal static class ProjectionChecks
{
    public static List<AttributePath> CheckOverlaps(List<AttributePath> paths)
    {
        for (int i = 0; i < paths.Count; i++)
        {
            for (int j = i + 1; j < paths.Count; j++)
            {
                var relation = AttributePath.Relate(paths[i], paths[j]);
                if (relation != PathRelation.Distinct)
                    throw DynamoException.Validation("Invalid ProjectionExpression: " + AttributePath.RelationMessage(relation, paths[i], paths[j]));
            }
        }
        return paths;
    }
}
