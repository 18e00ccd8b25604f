using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>PutItem: validate, encode the key, serialize the canonical item, and write it through the group commit.</summary>
internal static class PutItem
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
        ConsumedCapacity.WriteMember(w, capacity, command.Table.Name, ConsumedCapacity.WriteUnits(command.OldSize, command.Size), command.IndexUnits);
        ItemCollectionMetrics.WriteMember(w, command.Table, command.Key.Hash, command.CollectionBytes);
        w.WriteEndObject();
    }

    private static PutItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity)
    {
        var reader = JsonRequest.Begin(body);
        var members = new ConditionalWriteMembers();
        Dictionary<string, AttributeValue>? item = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("Item"u8)) { if (JsonRequest.ValueOf(ref reader)) item = AttributeValueJson.ReadMap(ref reader, ref members.ValueError); }
            else if (!members.TryRead(ref reader)) JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(members.TableName);
        errors.NotNull(item, "item");
        members.ValidateRest(errors);
        var node = members.ParseCondition();
        int size = ItemSize.Of(item!);
        if (size > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size has exceeded the maximum allowed size");
        ItemNesting.Validate(item!);

        var table = store.GetTable(members.TableName!);
        var key = PrimaryKey.FromItem(table, item!);
        SecondaryIndexKey.Validate(table, item!);
        capacity = members.CapacityMode;
        return new PutItemCommand(table, key, StoredItem.Serialize(item!), size, node, members.ReturnOld, members.ReturnOldOnFailure, members.ReturnItemCollectionMetrics);
    }

    private sealed class PutItemCommand(TableDefinition table, PrimaryKey key, byte[] item, int size, ConditionNode? condition,
        bool returnOld, bool returnOldOnFailure, string? returnItemCollectionMetrics) : WriteCommand
    {
        public TableDefinition Table => table;
        public PrimaryKey Key => key;

        /// <summary>The size of the written item's collection, measured after the write when metrics are wanted.</summary>
        public long? CollectionBytes { get; private set; }
        public int Size => size;
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
            context.Upsert(table, key, size, item, existed, oldSize);
            OldItem = oldItem;
            OldSize = oldSize;
            IndexUnits = context.TakeIndexUnits();
            CollectionBytes = ItemCollectionMetrics.MeasureOne(context, returnItemCollectionMetrics, table, key.Hash);
        }
    }
}
