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
        var command = Prepare(store, body.Span, out var capacity, out var tableName);
        await store.WriteAsync(command).ConfigureAwait(false);
        command.WriteResponse(response, capacity, tableName);
    }

    private static DeleteItemCommand Prepare(DynamoStore store, ReadOnlySpan<byte> body, out CapacityMode capacity, out string tableName)
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
        tableName = members.TableName!;
        return new DeleteItemCommand(table, primaryKey, node, members.ReturnOld, members.ReturnOldOnFailure, members.ReturnItemCollectionMetrics);
    }

    internal sealed class DeleteItemCommand(TableDefinition table, PrimaryKey key, ConditionNode? condition, bool returnOld,
        bool returnOldOnFailure, string? returnItemCollectionMetrics)
        : ConditionalWriteCommand(table, key, newSize: 0, condition, returnOld, returnOldOnFailure, returnItemCollectionMetrics)
    {
        protected override void Write(WriteContext context, bool existed, int oldSize)
        {
            if (existed) context.Delete(Table, Key, oldSize, OldItem);
        }
    }
}
