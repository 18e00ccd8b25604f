using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// BatchWriteItem: up to 25 puts and deletes across tables, validated completely before anything is written, then
/// applied as one command (inside a savepoint) of the group commit. Nothing is ever throttled here, so
/// UnprocessedItems is always the empty map SDKs expect on success.
/// </summary>
internal static class BatchWriteItem
{
    private const int MaxRequests = 25;

    /// <param name="RequestedName">The RequestItems key the request came under, the table's name or ARN.</param>
    private sealed record WriteRequest(TableDefinition Table, string RequestedName, PrimaryKey Key, byte[]? Item, int Size);

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var (requests, capacityMode, metrics) = Prepare(store, body.Span);
        var command = new BatchWriteCommand(requests, metrics);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("UnprocessedItems"u8);
        w.WriteEndObject();
        if (capacityMode != CapacityMode.None)
        {
            // One entry per RequestItems key, named as the request named the table (API reference, ConsumedCapacity
            // TableName: "If you had specified the Amazon Resource Name (ARN) of a table in the input, you'll see the
            // table ARN in the response"). A table named both by name and by ARN answers two entries, each with the
            // units (index writes included) of its own requests.
            var perTable = new Dictionary<string, (TableDefinition Table, double Units, List<IndexWriteUnits>? Indexes)>(StringComparer.Ordinal);
            for (int i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                perTable.TryGetValue(r.RequestedName, out var entry);
                var indexes = entry.Indexes;
                if (command.IndexUnits[i] is { } written) (indexes ??= []).AddRange(written);
                perTable[r.RequestedName] = (r.Table, entry.Units + ConsumedCapacity.WriteUnits(command.OldSizes[i], r.Size), indexes);
            }
            w.WriteStartArray("ConsumedCapacity"u8);
            foreach (var (requested, (table, units, indexes)) in perTable)
                ConsumedCapacity.WriteValue(w, capacityMode, table.Name, units, CapacitySplit.None, indexes, requested);
            w.WriteEndArray();
        }
        ItemCollectionMetrics.WritePerTable(w, command.Collections);
        w.WriteEndObject();
    }

    private static (List<WriteRequest>, CapacityMode, string?) Prepare(DynamoStore store, ReadOnlySpan<byte> body)
    {
        var reader = JsonRequest.Begin(body);
        string? returnCapacity = null, metrics = null, valueError = null;
        List<(string Table, List<(Dictionary<string, AttributeValue>? Put, Dictionary<string, AttributeValue>? Delete)> Requests)>? items = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("RequestItems"u8)) { if (JsonRequest.ValueOf(ref reader)) items = ReadRequestItems(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnItemCollectionMetrics"u8)) { if (JsonRequest.ValueOf(ref reader)) metrics = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        if (items is null || items.Count == 0) throw DynamoException.Validation("The requestItems parameter is required for BatchWriteItem");
        var errors = new ValidationErrors();
        ConsumedCapacity.Validate(returnCapacity, errors);
        ReturnValuesMember.ValidateItemCollectionMetrics(metrics, errors);
        foreach (var (table, requests) in items)
        {
            errors.TableNameOrArn(table, "requestItems." + table + ".member");
            if (requests.Count is 0 or > MaxRequests)
            {
                var echo = "{" + table + "=[" + string.Join(", ", Enumerable.Repeat("WriteRequest", requests.Count)) + "]}";
                errors.Add(echo, "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
            }
        }
        errors.ThrowIfAny();
        if (valueError is not null) throw DynamoException.Validation(valueError);
        int total = 0;
        foreach (var (_, requests) in items) total += requests.Count;
        if (total > MaxRequests) throw DynamoException.Validation("Too many items requested for the BatchWriteItem call");

        var prepared = new List<WriteRequest>(total);
        var seen = new HashSet<(long, PrimaryKey)>();
        foreach (var (tableName, requests) in items)
        {
            foreach (var (put, delete) in requests)
            {
                if ((put is null) == (delete is null))
                    throw DynamoException.Validation(AttributeValueJson.MultipleTypes);
                if (put is not null && ItemSize.Of(put) > ItemSize.MaxItemBytes)
                    throw DynamoException.Validation("Item size has exceeded the maximum allowed size");
                if (put is not null) ItemNesting.Validate(put);
            }
        }
        foreach (var (tableName, requests) in items)
        {
            var table = store.GetTable(tableName);
            foreach (var (put, delete) in requests)
            {
                var key = put is not null ? PrimaryKey.FromItem(table, put) : PrimaryKey.FromKey(table, delete!);
                if (put is not null) SecondaryIndexKey.Validate(table, put);
                if (!seen.Add((table.InternalId, key))) throw DynamoException.Validation("Provided list of item keys contains duplicates");
                prepared.Add(put is not null
                    ? new WriteRequest(table, tableName, key, StoredItem.Serialize(put), ItemSize.Of(put))
                    : new WriteRequest(table, tableName, key, null, 0));
            }
        }
        return (prepared, ConsumedCapacity.Mode(returnCapacity), metrics);
    }

    private static List<(string, List<(Dictionary<string, AttributeValue>?, Dictionary<string, AttributeValue>?)>)> ReadRequestItems(
        ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var result = new List<(string, List<(Dictionary<string, AttributeValue>?, Dictionary<string, AttributeValue>?)>)>();
        while (JsonRequest.NextMember(ref reader))
        {
            var table = JsonRequest.GetString(ref reader);
            if (!JsonRequest.ValueOf(ref reader)) continue;
            JsonRequest.ExpectArray(ref reader);
            var requests = new List<(Dictionary<string, AttributeValue>?, Dictionary<string, AttributeValue>?)>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null) continue;
                JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
                Dictionary<string, AttributeValue>? put = null, delete = null;
                while (JsonRequest.NextMember(ref reader))
                {
                    if (reader.ValueTextEquals("PutRequest"u8)) { if (JsonRequest.ValueOf(ref reader)) put = ReadInner(ref reader, "Item"u8, ref valueError); }
                    else if (reader.ValueTextEquals("DeleteRequest"u8)) { if (JsonRequest.ValueOf(ref reader)) delete = ReadInner(ref reader, "Key"u8, ref valueError); }
                    else JsonRequest.SkipValue(ref reader);
                }
                requests.Add((put, delete));
            }
            result.Add((table, requests));
        }
        return result;
    }

    private static Dictionary<string, AttributeValue>? ReadInner(ref Utf8JsonReader reader, ReadOnlySpan<byte> member, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        Dictionary<string, AttributeValue>? map = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals(member)) { if (JsonRequest.ValueOf(ref reader)) map = AttributeValueJson.ReadMap(ref reader, ref valueError); }
            else JsonRequest.SkipValue(ref reader);
        }
        return map ?? [];
    }

    private sealed class BatchWriteCommand(List<WriteRequest> requests, string? returnItemCollectionMetrics) : WriteCommand
    {
        public override bool NeedsSavepoint => true;

        public int[] OldSizes { get; } = new int[requests.Count];

        /// <summary>The index writes of each request, taken after it, so each RequestItems key is charged its own.</summary>
        public List<IndexWriteUnits>?[] IndexUnits { get; } = new List<IndexWriteUnits>?[requests.Count];

        /// <summary>The item collections written, measured after all the writes (ReturnItemCollectionMetrics=SIZE).</summary>
        public List<(TableDefinition Table, string RequestedName, byte[] Hash, long Bytes)> Collections { get; private set; } = [];

        public override void Apply(WriteContext context)
        {
            foreach (var r in requests)
                if (r.Table.IsDeleted) throw DynamoException.ResourceNotFound();
            for (int i = 0; i < requests.Count; i++)
            {
                var r = requests[i];
                bool existed = context.TryReadItem(r.Table, r.Key, wantItem: r.Table.Stream is not null, out int oldSize, out var oldItem);
                OldSizes[i] = oldSize;
                if (r.Item is not null) context.Upsert(r.Table, r.Key, r.Size, r.Item, existed, oldSize, oldItem);
                else if (existed) context.Delete(r.Table, r.Key, oldSize, oldItem);
                IndexUnits[i] = context.TakeIndexUnits();
            }
            Collections = ItemCollectionMetrics.Measure(context, returnItemCollectionMetrics, requests.Select(r => (r.Table, r.RequestedName, r.Key.Hash)));
        }
    }
}
