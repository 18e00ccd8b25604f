using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>Chooses the key space a Query or Scan reads: the table, or the index named by IndexName.</summary>
internal static class KeySpaces
{
    public static KeySpace Resolve(TableDefinition table, ReadRequest request)
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
        // A local index answers for attributes it does not project by fetching the item from the table.
        bool fetch = partial && !index.IsGlobal
            && (request.Select == "ALL_ATTRIBUTES" || request.ProjectionExpression is not null || request.Legacy.AttributesToGet is not null);
        return new IndexKeySpace(table, index, fetch);
    }
}
