using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateItem: an UpdateExpression (or legacy AttributeUpdates) applied to the current item, or to a new item made of
/// the key when none exists, under an optional condition. Everything is computed inside the writer's transaction
/// before the single write, so a failed condition or a type error changes nothing.
/// </summary>
internal static class UpdateItem
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var command = Prepare(store, body.Span, out var capacity, out var tableName);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        var attributes = command.ReturnedAttributes();
        if (attributes is { Count: > 0 })
        {
            w.WritePropertyName("Attributes"u8);
            AttributeValueJson.WriteMap(w, attributes);
        }
        ConsumedCapacity.WriteMember(w, capacity, command.Table.Name, ConsumedCapacity.WriteUnits(command.OldSize, command.NewSize), command.IndexUnits, tableName);
        ItemCollectionMetrics.WriteMember(w, command.Table, command.Key.Hash, command.CollectionBytes);
        w.WriteEndObject();
    }

    private static UpdateItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity, out string tableName)
    {
        var reader = JsonRequest.Begin(body);
        var members = new ConditionalWriteMembers();
        string? update = null;
        Dictionary<string, AttributeValue>? key = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) key = AttributeValueJson.ReadMap(ref reader, ref members.ValueError); }
            else if (reader.ValueTextEquals("UpdateExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) update = JsonRequest.ReadString(ref reader); }
            else if (!members.TryRead(ref reader)) JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(members.TableName);
        errors.NotNull(key, "key");
        members.ValidateRest(errors);
        var legacy = members.Legacy;
        var condition = members.ConditionExpression;
        LegacyMembers.ThrowIfMixed(
            [(update, "UpdateExpression"), (condition, "ConditionExpression")],
            [(legacy.AttributeUpdates, "AttributeUpdates"), (legacy.Expected, "Expected")]);
        var attributes = members.ExpressionMembers.Prepare(update is not null || condition is not null, "UpdateExpression and ConditionExpression");
        var updates = update is not null ? ExpressionParser.ParseUpdate(update, attributes) : legacy.TranslateAttributeUpdates();
        var node = condition is not null ? ExpressionParser.ParseCondition(condition, attributes) : legacy.TranslateExpected();
        attributes.ThrowIfUnused();

        var table = store.GetTable(members.TableName!);
        var primaryKey = PrimaryKey.FromKey(table, key!);
        if (updates is not null)
            foreach (var action in updates.Actions)
            {
                var top = action.Path.TopLevelName;
                if (top == table.Hash.Name || top == table.Range?.Name)
                    throw DynamoException.Validation("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
            }
        capacity = members.CapacityMode;
        tableName = members.TableName!;
        return new UpdateItemCommand(table, primaryKey, key!, updates, node, members.ReturnValues ?? "NONE", members.ReturnOldOnFailure, members.ReturnItemCollectionMetrics);
    }

    internal sealed class UpdateItemCommand(TableDefinition table, PrimaryKey key, Dictionary<string, AttributeValue> keyAttributes,
        UpdateExpression? update, ConditionNode? condition, string returnValues, bool returnOldOnFailure, string? returnItemCollectionMetrics) : WriteCommand
    {
        public TableDefinition Table => table;
        public PrimaryKey Key => key;

        /// <summary>The size of the written item's collection, measured after the write when metrics are wanted.</summary>
        public long? CollectionBytes { get; private set; }
        public int OldSize { get; private set; }
        public int NewSize { get; private set; }
        private Dictionary<string, AttributeValue>? _old;
        private Dictionary<string, AttributeValue>? _new;
        private AttributePath?[]? _landed;
        public List<IndexWriteUnits>? IndexUnits { get; private set; }

        // An indexed table writes index rows too, and a streamed one a stream record: all of them or none.
        public override bool NeedsSavepoint => table.Indexes.Count > 0 || table.Stream is not null;

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) throw DynamoException.ResourceNotFound();
            bool existed = context.TryReadItem(table, key, wantItem: true, out int oldSize, out var oldItem);
            var old = oldItem is null ? null : StoredItem.Parse(oldItem);
            if (condition is not null && !condition.Evaluate(old))
                throw ConditionFailure.Create(returnOldOnFailure ? oldItem : null);
            var basis = old ?? new Dictionary<string, AttributeValue>(keyAttributes, StringComparer.Ordinal);
            if (update is not null && returnValues == "UPDATED_NEW") _landed = new AttributePath?[update.Actions.Count];
            var updated = update is null ? basis : update.Apply(basis, _landed);
            int size = ItemSize.Of(updated);
            if (size > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size to update has exceeded the maximum allowed size");
            ItemNesting.Validate(updated);
            SecondaryIndexKey.Validate(table, updated, fromUpdateExpression: update is not null);
            context.Upsert(table, key, size, StoredItem.Serialize(updated), existed, oldSize, oldItem);
            IndexUnits = context.TakeIndexUnits();
            CollectionBytes = ItemCollectionMetrics.MeasureOne(context, returnItemCollectionMetrics, table, key.Hash);
            _old = old;
            _new = updated;
            OldSize = oldSize;
            NewSize = size;
        }

        public Dictionary<string, AttributeValue>? ReturnedAttributes()
        {
            switch (returnValues)
            {
                case "ALL_OLD": return _old;
                case "ALL_NEW": return _new;
                case "UPDATED_OLD": return _old is null || update is null ? null : Projection.Apply(_old, UpdatedPaths());
                case "UPDATED_NEW": return update is null ? null : Projection.Apply(_new!, LandedPaths());
                default: return null;
            }
        }

        // Where the SET, ADD and DELETE actions' values are in the new item; a REMOVE has no new value.
        private List<AttributePath> LandedPaths()
        {
            var paths = new List<AttributePath>(_landed!.Length);
            foreach (var path in _landed) if (path is not null) paths.Add(path);
            return paths;
        }

        private List<AttributePath> UpdatedPaths()
        {
            var paths = new List<AttributePath>(update!.Actions.Count);
            foreach (var action in update.Actions) paths.Add(action.Path);
            return paths;
        }
    }
}
