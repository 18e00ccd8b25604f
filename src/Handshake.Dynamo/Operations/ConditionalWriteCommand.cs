using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The write of PutItem and DeleteItem: one item by its key, under an optional condition on the current item,
/// returning the old item (ReturnValues ALL_OLD) and charging capacity on the old and new sizes. The operation
/// says only how the item is written (<see cref="Write"/>).
/// </summary>
internal abstract class ConditionalWriteCommand(TableDefinition table, PrimaryKey key, int newSize, ConditionNode? condition,
    bool returnOld, bool returnOldOnFailure, string? returnItemCollectionMetrics) : WriteCommand
{
    protected TableDefinition Table => table;
    protected PrimaryKey Key => key;

    /// <summary>The size of the item the write leaves: 0 for a delete.</summary>
    protected int NewSize => newSize;

    private byte[]? _oldItem;
    private int _oldSize;
    private List<IndexWriteUnits>? _indexUnits;

    // The size of the written item's collection, measured after the write when metrics are wanted.
    private long? _collectionBytes;

    /// <summary>After the write: the item it replaced (when it was read: a condition, ReturnValues, or the table's
    /// stream), its size, and the index writes.</summary>
    internal byte[]? OldItem => _oldItem;
    internal int OldSize => _oldSize;
    internal int WrittenSize => newSize;
    internal List<IndexWriteUnits>? IndexUnits => _indexUnits;
    internal TableDefinition TableDefinition => table;

    // An indexed table writes index rows too, and a streamed one a stream record: all of them or none.
    public override bool NeedsSavepoint => table.Indexes.Count > 0 || table.Stream is not null;

    public sealed override void Apply(WriteContext context)
    {
        if (table.IsDeleted) throw DynamoException.ResourceNotFound();
        bool existed = context.TryReadItem(table, key, wantItem: returnOld || condition is not null || table.Stream is not null, out int oldSize, out var oldItem);
        if (condition is not null && !condition.Evaluate(oldItem is null ? null : StoredItem.Parse(oldItem)))
            throw ConditionFailure.Create(returnOldOnFailure ? oldItem : null);
        _oldItem = oldItem;
        Write(context, existed, oldSize);
        _oldSize = oldSize;
        _indexUnits = context.TakeIndexUnits();
        _collectionBytes = ItemCollectionMetrics.MeasureOne(context, returnItemCollectionMetrics, table, key.Hash);
    }

    /// <summary>Writes (or deletes) the item once the condition has held; <paramref name="existed"/> and
    /// <paramref name="oldSize"/> describe the item it replaces.</summary>
    protected abstract void Write(WriteContext context, bool existed, int oldSize);

    /// <summary>The response after the commit: Attributes (the old item, when asked for), ConsumedCapacity, ItemCollectionMetrics.</summary>
    /// <param name="requestedTableName">The request's TableName, name or ARN, which ConsumedCapacity echoes.</param>
    public void WriteResponse(ResponseBuffer response, CapacityMode capacity, string requestedTableName)
    {
        var w = response.Writer;
        w.WriteStartObject();
        if (returnOld && _oldItem is not null)
        {
            w.WritePropertyName("Attributes"u8);
            response.WriteRawValue(_oldItem);
        }
        ConsumedCapacity.WriteMember(w, capacity, table.Name, ConsumedCapacity.WriteUnits(_oldSize, newSize), _indexUnits, requestedTableName);
        ItemCollectionMetrics.WriteMember(w, table, key.Hash, _collectionBytes);
        w.WriteEndObject();
    }
}
