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
        var command = Prepare(store, body.Span, out var capacity, out var tableName);
        await store.WriteAsync(command).ConfigureAwait(false);
        command.WriteResponse(response, capacity, tableName);
    }

    private static PutItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity, out string tableName)
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
        tableName = members.TableName!;
        return new PutItemCommand(table, key, StoredItem.Serialize(item!), size, node, members.ReturnOld, members.ReturnOldOnFailure, members.ReturnItemCollectionMetrics);
    }

    internal sealed class PutItemCommand(TableDefinition table, PrimaryKey key, byte[] item, int size, ConditionNode? condition,
        bool returnOld, bool returnOldOnFailure, string? returnItemCollectionMetrics)
        : ConditionalWriteCommand(table, key, size, condition, returnOld, returnOldOnFailure, returnItemCollectionMetrics)
    {
        protected override void Write(WriteContext context, bool existed, int oldSize) =>
            context.Upsert(Table, Key, NewSize, item, existed, oldSize, OldItem);
    }
}
