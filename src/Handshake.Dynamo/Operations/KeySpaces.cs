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
        // Index storage arrives with the secondary-index work; until then no index can be read.
        throw DynamoException.Validation("The table does not have the specified index: " + request.IndexName);
    }
}
