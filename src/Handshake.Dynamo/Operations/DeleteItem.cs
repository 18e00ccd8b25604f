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
        ConsumedCapacity.WriteMember(w, capacity, command.Table.Name, ConsumedCapacity.WriteUnits(command.OldSize, 0), isRead: false, command.IndexUnits);
        w.WriteEndObject();
    }

    private static DeleteItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity)
    {
        var reader = JsonRequest.Begin(body);
        string? tableName = null, condition = null, returnValues = null, returnCapacity = null, metrics = null, onFailure = null;
        Dictionary<string, AttributeValue>? key = null;
        string? valueError = null;
        var legacy = new LegacyMembers();
        var expressions = new ExpressionMembers();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) key = AttributeValueJson.ReadMap(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("ConditionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) condition = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) expressions.ReadNames(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeValues"u8)) { if (JsonRequest.ValueOf(ref reader)) expressions.ReadValues(ref reader); }
            else if (reader.ValueTextEquals("ReturnValues"u8)) { if (JsonRequest.ValueOf(ref reader)) returnValues = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnItemCollectionMetrics"u8)) { if (JsonRequest.ValueOf(ref reader)) metrics = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnValuesOnConditionCheckFailure"u8)) { if (JsonRequest.ValueOf(ref reader)) onFailure = JsonRequest.ReadString(ref reader); }
            else if (!legacy.TryRead(ref reader, ref valueError)) JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        errors.NotNull(key, "key");
        ConsumedCapacity.Validate(returnCapacity, errors);
        ReturnValuesMember.Validate(returnValues, errors);
        ReturnValuesMember.ValidateItemCollectionMetrics(metrics, errors);
        ReturnValuesMember.ValidateOnConditionCheckFailure(onFailure, errors);
        legacy.ValidateMembers(errors);
        errors.ThrowIfAny();
        if (valueError is not null) throw DynamoException.Validation(valueError);
        LegacyMembers.ThrowIfMixed([(condition, "ConditionExpression")], [(legacy.Expected, "Expected")]);
        var attributes = expressions.Prepare(condition is not null, "ConditionExpression");
        bool returnOld = ReturnValuesMember.ReturnsOld(returnValues);
        var node = condition is null ? legacy.TranslateExpected() : ExpressionParser.ParseCondition(condition, attributes);
        attributes.ThrowIfUnused();

        var table = store.GetTable(tableName!);
        var primaryKey = PrimaryKey.FromKey(table, key!);
        capacity = ConsumedCapacity.Mode(returnCapacity);
        return new DeleteItemCommand(table, primaryKey, node, returnOld, onFailure == "ALL_OLD");
    }

    private sealed class DeleteItemCommand(TableDefinition table, PrimaryKey key, ConditionNode? condition, bool returnOld,
        bool returnOldOnFailure) : WriteCommand
    {
        public TableDefinition Table => table;
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
        }
    }
}
