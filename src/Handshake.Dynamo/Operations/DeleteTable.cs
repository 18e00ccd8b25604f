using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DeleteTable: removes the table and all its items in one transaction. The response describes the table as
/// DELETING; the next DescribeTable finds nothing, which is what the SDKs' table-not-exists waiters wait for.
/// </summary>
internal static class DeleteTable
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var name = TableNameRequest.Parse(body.Span);
        var table = store.GetTable(name, describeMissing: true);
        if (table.DeletionProtectionEnabled)
            throw DynamoException.Validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
        var command = new DeleteTableCommand(table);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        w.WritePropertyName("TableDescription"u8);
        TableDescription.Write(w, table, "DELETING");
        w.WriteEndObject();
    }

    private sealed class DeleteTableCommand(TableDefinition table) : WriteCommand
    {
        public override bool NeedsSavepoint => true;

        public override void Apply(WriteContext context)
        {
            // Deleted (or deleted and re-created) by an earlier command: this request lost the race.
            if (table.IsDeleted || !context.Catalog.TryGet(table.Name, out var current) || current != table)
                throw DynamoException.TableNotFound(table.Name);
            IndexStorage.DropAll(context, table);
            using (var items = context.CreateCommand("DELETE FROM items WHERE table_id = $id"))
            {
                items.Parameters.AddWithValue("$id", table.InternalId);
                items.ExecuteNonQuery();
            }
            using (var row = context.CreateCommand("DELETE FROM tables WHERE id = $id"))
            {
                row.Parameters.AddWithValue("$id", table.InternalId);
                row.ExecuteNonQuery();
            }
            // As on AWS, the stream outlives its table: DISABLED, and readable for 24 hours.
            StreamCatalog.Disable(context, table, context.Options.Clock.GetUtcNow());
            table.IsDeleted = true;
            context.Catalog.Remove(table.Name);
        }
    }
}
