using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The reads of TransactGetItems (and of ExecuteTransaction's SELECTs), each naming one item, as one command: on the
/// writer thread, between two writes and never during one, so the items are a consistent snapshot.
/// </summary>
internal sealed class TransactReadCommand(List<TableDefinition> tables, List<PrimaryKey> keys) : WriteCommand
{
    public List<TableDefinition> Tables => tables;
    public byte[]?[] Items { get; } = new byte[]?[tables.Count];
    public int[] Sizes { get; } = new int[tables.Count];

    public override void Apply(WriteContext context)
    {
        for (int i = 0; i < tables.Count; i++)
        {
            if (tables[i].IsDeleted) throw DynamoException.ResourceNotFound();
            context.TryReadItem(tables[i], keys[i], wantItem: true, out Sizes[i], out Items[i]);
        }
    }

    /// <summary>The size of all the items read, which the transaction's 4 MB limit applies to.</summary>
    public long Bytes
    {
        get
        {
            long bytes = 0;
            foreach (var size in Sizes) bytes += size;
            return bytes;
        }
    }
}
