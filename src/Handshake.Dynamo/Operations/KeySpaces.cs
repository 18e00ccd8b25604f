using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>Chooses the key space a Query or Scan reads: the table, or the index named by IndexName.</summary>
internal static class KeySpaces
{
    /// <param name="projection">The request's ProjectionExpression or AttributesToGet (null: none).</param>
    public static KeySpace Resolve(TableDefinition table, ReadRequest request, List<AttributePath>? projection)
    {
        if (request.IndexName is null) return new TableKeySpace(table);
        var index = table.FindIndex(request.IndexName)
            ?? throw DynamoException.Validation("The table does not have the specified index: " + request.IndexName);
        if (index.IsGlobal && request.ConsistentRead)
            throw DynamoException.Validation("Consistent reads are not supported on global secondary indexes");
        if (index.IndexStatus != "ACTIVE")
            throw DynamoException.Validation("Cannot read from backfilling global secondary index: " + index.IndexName);
        bool partial = index.ProjectionType != "ALL";
        if (partial && index.IsGlobal && request.Select == "ALL_ATTRIBUTES")
            throw DynamoException.Validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index "
                + index.IndexName + " because its projection type is not ALL");
        if (partial && index.IsGlobal && projection is not null) ThrowIfNotProjected(table, index, projection);
        // A local index answers for attributes it does not project by fetching the item from the table.
        bool fetch = partial && !index.IsGlobal
            && (request.Select == "ALL_ATTRIBUTES" || request.ProjectionExpression is not null || request.Legacy.AttributesToGet is not null);
        return new IndexKeySpace(table, index, fetch);
    }

    /// <summary>
    /// A global index cannot fetch from the table, so AWS refuses a projection naming a top-level attribute the index
    /// does not hold (Query API reference, Select: "you can only request attributes that are projected into the
    /// index"), listing them in request order; the wording is the one seen on AWS (localstack/localstack#478).
    /// </summary>
    private static void ThrowIfNotProjected(TableDefinition table, SecondaryIndexDefinition index, List<AttributePath> projection)
    {
        List<string>? missing = null;
        foreach (var path in projection)
        {
            var name = path.TopLevelName;
            if (name == table.Hash.Name || name == table.Range?.Name || name == index.Hash.Name || name == index.Range?.Name || index.Projects(name))
                continue;
            missing ??= [];
            if (!missing.Contains(name)) missing.Add(name);
        }
        if (missing is not null)
            throw DynamoException.Validation("One or more parameter values were invalid: Global secondary index " + index.IndexName
                + " does not project [" + string.Join(", ", missing) + "]");
    }
}
