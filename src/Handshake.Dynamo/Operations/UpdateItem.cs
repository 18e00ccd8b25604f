using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateItem: the expression is parsed and checked on the request thread; the read-modify-write runs on the
/// writer thread against the latest committed item, so concurrent updates (counters) never lose increments.
/// </summary>
internal static class UpdateItem
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var command = Prepare(store, body.Span, out var capacity);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        if (command.Returned is { } returned)
        {
            w.WritePropertyName("Attributes"u8);
            response.WriteRawValue(returned);
        }
        ConsumedCapacity.WriteMember(w, capacity, command.Table.Name, ConsumedCapacity.WriteUnits(command.OldSize, command.NewSize), isRead: false);
        w.WriteEndObject();
    }

    private static UpdateItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity)
    {
        var reader = JsonRequest.Begin(body);
        string? tableName = null, update = null, condition = null, returnValues = null, returnCapacity = null, metrics = null, onFailure = null;
        Dictionary<string, AttributeValue>? key = null;
        List<UpdateAction>? legacyUpdates = null;
        string? valueError = null;
        bool legacyExpected = false;
        var expressions = new ExpressionMembers();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) key = AttributeValueJson.ReadMap(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("UpdateExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) update = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ConditionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) condition = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) expressions.ReadNames(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeValues"u8)) { if (JsonRequest.ValueOf(ref reader)) expressions.ReadValues(ref reader); }
            else if (reader.ValueTextEquals("ReturnValues"u8)) { if (JsonRequest.ValueOf(ref reader)) returnValues = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnItemCollectionMetrics"u8)) { if (JsonRequest.ValueOf(ref reader)) metrics = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnValuesOnConditionCheckFailure"u8)) { if (JsonRequest.ValueOf(ref reader)) onFailure = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("AttributeUpdates"u8)) { if (JsonRequest.ValueOf(ref reader)) legacyUpdates = ReadAttributeUpdates(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("Expected"u8)) { legacyExpected = JsonRequest.ValueOf(ref reader); reader.Skip(); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        errors.NotNull(key, "key");
        ConsumedCapacity.Validate(returnCapacity, errors);
        ReturnValuesMember.Validate(returnValues, errors);
        ReturnValuesMember.ValidateItemCollectionMetrics(metrics, errors);
        ReturnValuesMember.ValidateOnConditionCheckFailure(onFailure, errors);
        errors.ThrowIfAny();
        if (valueError is not null) throw DynamoException.Validation(valueError);
        if (legacyUpdates is not null && (update is not null || condition is not null))
            throw DynamoException.Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {"
                + (update is not null ? "UpdateExpression" : "ConditionExpression") + "}");
        if (legacyExpected && (update is not null || condition is not null))
            throw DynamoException.Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {"
                + (update is not null ? "UpdateExpression" : "ConditionExpression") + "}");
        if (legacyExpected) throw DynamoException.Validation("The legacy Expected parameter is not supported yet; use ConditionExpression");
        var attributes = expressions.Prepare(update is not null || condition is not null,
            update is null && condition is null ? "UpdateExpression and ConditionExpression are" : update is null ? "UpdateExpression is" : "ConditionExpression is");
        var actions = update is not null ? UpdateExpressionParser.Parse(update, attributes) : legacyUpdates ?? [];
        var node = condition is null ? null : ExpressionParser.ParseCondition(condition, attributes);
        attributes.ThrowIfUnused();

        var table = store.GetTable(tableName!);
        var primaryKey = PrimaryKey.FromKey(table, key!);
        foreach (var action in actions)
        {
            var name = action.Path.TopLevelName;
            if (name == table.Hash.Name || name == table.Range?.Name)
                throw DynamoException.Validation("One or more parameter values were invalid: Cannot update attribute " + name + ". This attribute is part of the key");
        }
        capacity = ConsumedCapacity.Mode(returnCapacity);
        return new UpdateItemCommand(table, primaryKey, key!, actions, node, returnValues ?? "NONE", onFailure == "ALL_OLD");
    }

    private static List<UpdateAction> ReadAttributeUpdates(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var actions = new List<UpdateAction>();
        while (JsonRequest.NextMember(ref reader))
        {
            var name = JsonRequest.GetString(ref reader);
            if (!JsonRequest.ValueOf(ref reader)) continue;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            string action = "PUT";
            AttributeValue? value = null;
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("Action"u8)) { if (JsonRequest.ValueOf(ref reader)) action = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("Value"u8)) { if (JsonRequest.ValueOf(ref reader)) value = AttributeValueJson.Read(ref reader, ref valueError); }
                else JsonRequest.SkipValue(ref reader);
            }
            var path = new AttributePath([new PathElement(name, 0)]);
            actions.Add(action switch
            {
                "DELETE" when value is null => new UpdateAction(UpdateActionKind.Remove, path, null),
                "DELETE" => new UpdateAction(UpdateActionKind.Delete, path, new LiteralUpdateValue(value)),
                "ADD" when value is not null => new UpdateAction(UpdateActionKind.Add, path, new LiteralUpdateValue(value)),
                "PUT" when value is not null => new UpdateAction(UpdateActionKind.Set, path, new LiteralUpdateValue(value)),
                _ => throw DynamoException.Validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"),
            });
        }
        return actions;
    }

    private sealed class UpdateItemCommand(TableDefinition table, PrimaryKey key, Dictionary<string, AttributeValue> keyAttributes,
        List<UpdateAction> actions, ConditionNode? condition, string returnValues, bool returnOldOnFailure) : WriteCommand
    {
        public TableDefinition Table => table;
        public byte[]? Returned { get; private set; }
        public int OldSize { get; private set; }
        public int NewSize { get; private set; }

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) throw DynamoException.ResourceNotFound();
            bool existed = context.TryReadItem(table, key, wantItem: true, out int oldSize, out var oldBytes);
            var old = oldBytes is null ? null : StoredItem.Parse(oldBytes);
            if (condition is not null && !condition.Evaluate(old))
                throw ConditionFailure.Create(returnOldOnFailure ? oldBytes : null);
            byte[]? updatedOld = returnValues == "UPDATED_OLD" && old is not null ? ProjectUpdated(old) : null;

            var item = old ?? new Dictionary<string, AttributeValue>(keyAttributes, StringComparer.Ordinal);
            UpdateEvaluator.Apply(item, actions);
            int size = ItemSize.Of(item);
            if (size > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size to update has exceeded the maximum allowed size");
            var bytes = StoredItem.Serialize(item);
            context.Upsert(table, key, size, bytes, existed, oldSize);
            OldSize = oldSize;
            NewSize = size;
            Returned = returnValues switch
            {
                "ALL_OLD" => oldBytes,
                "ALL_NEW" => bytes,
                "UPDATED_OLD" => updatedOld,
                "UPDATED_NEW" => ProjectUpdated(item),
                _ => null,
            };
        }

        // UPDATED_OLD / UPDATED_NEW return only the attributes the actions named; nothing when none of them exist.
        private byte[]? ProjectUpdated(Dictionary<string, AttributeValue> item)
        {
            var paths = new List<AttributePath>(actions.Count);
            foreach (var action in actions) paths.Add(action.Path);
            var projected = Projection.Apply(item, paths);
            return projected.Count == 0 ? null : StoredItem.Serialize(projected);
        }
    }
}
