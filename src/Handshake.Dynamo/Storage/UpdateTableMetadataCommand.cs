using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Changes a table's metadata (billing, throughput, tags, TTL) on the writer thread and persists the new
/// definition in the same transaction. The change runs there so it is serialized with every other write; if the
/// commit fails, the catalog is rebuilt from the database and the change disappears with it.
/// Control-plane only, so a delegate per call is fine.
/// </summary>
internal sealed class UpdateTableMetadataCommand(TableDefinition table, Action<TableDefinition> change) : WriteCommand
{
    public override void Apply(WriteContext context)
    {
        if (table.IsDeleted) throw DynamoException.TableNotFound(table.Name);
        change(table);
        using var update = context.CreateCommand("UPDATE tables SET definition = $d WHERE id = $id");
        update.Parameters.AddWithValue("$d", System.Text.Encoding.UTF8.GetString(TableDefinitionJson.Serialize(table)));
        update.Parameters.AddWithValue("$id", table.InternalId);
        update.ExecuteNonQuery();
    }
}
