using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>DeleteItem: optional condition on the current item, ReturnValues ALL_OLD, capacity on the old item's size.</summary>
internal static class DeleteItem
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var command = Prepare(store, body.Span, out var capacity);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        if (command.ReturnOld && command.OldItem is not null)
        {
            w.WritePropertyName("Attributes"u8);
            response.WriteRawValue(command.OldItem);
        }
        ConsumedCapacity.WriteMember(w, capacity, command.Table.Name, ConsumedCapacity.WriteUnits(command.OldSize, 0), command.IndexUnits);
        ItemCollectionMetrics.WriteMember(w, command.Table, command.Key.Hash, command.CollectionBytes);
        w.WriteEndObject();
    }

    private static DeleteItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity)
    {
        var reader = JsonRequest.Begin(body);
        var members = new ConditionalWriteMembers();
        Dictionary<string, AttributeValue>? key = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) key = AttributeValueJson.ReadMap(ref reader, ref members.ValueError); }
            else if (!members.TryRead(ref reader)) JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(members.TableName);
        errors.NotNull(key, "key");
        members.ValidateRest(errors);
        var node = members.ParseCondition();

        var table = store.GetTable(members.TableName!);
        var primaryKey = PrimaryKey.FromKey(table, key!);
        capacity = members.CapacityMode;
        return new DeleteItemCommand(table, primaryKey, node, members.ReturnOld, members.ReturnOldOnFailure, members.ReturnItemCollectionMetrics);
    }

    private sealed class DeleteItemCommand(TableDefinition table, PrimaryKey key, ConditionNode? condition, bool returnOld,
        bool returnOldOnFailure, string? returnItemCollectionMetrics) : WriteCommand
    {
        public TableDefinition Table => table;
        public PrimaryKey Key => key;

        /// <summary>The size of the written item's collection, measured after the write when metrics are wanted.</summary>
        public long? CollectionBytes { get; private set; }
        public bool ReturnOld => returnOld;
        public byte[]? OldItem { get; private set; }
        public int OldSize { get; private set; }
        public List<IndexWriteUnits>? IndexUnits { get; private set; }

        // An indexed table writes index rows too: all of them or none.
        public override bool NeedsSavepoint => table.Indexes.Count > 0;

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) throw DynamoException.ResourceNotFound();
            bool existed = context.TryReadItem(table, key, wantItem: returnOld || condition is not null, out int oldSize, out var oldItem);
            if (condition is not null && !condition.Evaluate(oldItem is null ? null : StoredItem.Parse(oldItem)))
                throw ConditionFailure.Create(returnOldOnFailure ? oldItem : null);
            if (existed) context.Delete(table, key, oldSize);
            OldItem = oldItem;
            OldSize = oldSize;
            IndexUnits = context.TakeIndexUnits();
            CollectionBytes = ItemCollectionMetrics.MeasureOne(context, returnItemCollectionMetrics, table, key.Hash);
        }
    }
}
