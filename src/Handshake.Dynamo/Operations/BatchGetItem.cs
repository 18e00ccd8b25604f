using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// BatchGetItem: up to 100 keys across tables. Keys past DynamoDB's 16 MB response limit go back in
/// UnprocessedKeys, as AWS does; otherwise UnprocessedKeys is the empty map. Capacity rounds each item up to 4 KB.
/// </summary>
internal static class BatchGetItem
{
    private const int MaxKeys = 100;
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    private sealed class TableRequest
    {
        public required string Name;
        public List<Dictionary<string, AttributeValue>> Keys = [];
        public string? Projection;
        public List<string>? AttributesToGet;
        public bool Consistent;
        public ExpressionMembers Expressions = new();
        public bool KeysPresent;
        public TableDefinition? Table;
        public List<AttributePath>? Paths;
        public List<PrimaryKey> EncodedKeys = [];
    }

    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? returnCapacity = null, valueError = null;
        List<TableRequest>? tables = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("RequestItems"u8)) { if (JsonRequest.ValueOf(ref reader)) tables = ReadRequestItems(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        if (tables is null || tables.Count == 0) throw DynamoException.Validation("The requestItems parameter is required for BatchGetItem");
        var errors = new ValidationErrors();
        ConsumedCapacity.Validate(returnCapacity, errors);
        foreach (var t in tables)
        {
            errors.TableNameOrArn(t.Name, "requestItems." + t.Name + ".member");
            if (!t.KeysPresent) errors.Add(null, "requestItems." + t.Name + ".member.keys", "Member must not be null");
            else if (t.Keys.Count == 0) errors.Add("[]", "requestItems." + t.Name + ".member.keys", "Member must have length greater than or equal to 1");
            // AWS's words for this one, value left out and members capitalised (the public dynamodb-conformance
            // suite's exact capture from AWS; moto's older one leaves the value out too).
            else if (t.Keys.Count > MaxKeys) errors.AddWithoutValue("RequestItems." + t.Name + ".member.Keys", "Member must have length less than or equal to 100");
            // The model's minimum, as on GetItem: an empty list would otherwise project every item to nothing.
            if (t.AttributesToGet is { Count: 0 }) errors.Add("[]", "requestItems." + t.Name + ".member.attributesToGet", "Member must have length greater than or equal to 1");
        }
        errors.ThrowIfAny();
        if (valueError is not null) throw DynamoException.Validation(valueError);
        int total = 0;
        foreach (var t in tables) total += t.Keys.Count;
        if (total > MaxKeys) throw DynamoException.Validation("Too many items requested for the BatchGetItem call");
        // The request as a whole may not mix the two, even when each table uses one (AWS refuses a ProjectionExpression
        // on one table beside AttributesToGet on another, per the dynamodb-conformance suite; the text is the one AWS
        // gives for one table using both, inferred to be the same).
        if (tables.Exists(t => t.AttributesToGet is not null) && tables.Exists(t => t.Projection is not null))
            throw DynamoException.Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
        foreach (var t in tables)
        {
            var attributes = t.Expressions.Prepare(t.Projection is not null, "ProjectionExpression");
            t.Paths = GetItem.ProjectionPaths(t.Projection, t.AttributesToGet, attributes);
            attributes.ThrowIfUnused();
        }
        // One set across the entries: a table may be named twice, by its name and by its ARN, and one item asked for
        // under both is a duplicate as BatchWriteItem and TransactGetItems count it, not an item read and sent twice.
        var seen = new HashSet<(long, PrimaryKey)>();
        foreach (var t in tables)
        {
            t.Table = store.GetTable(t.Name);
            foreach (var key in t.Keys)
            {
                var encoded = PrimaryKey.FromKey(t.Table, key);
                if (!seen.Add((t.Table.InternalId, encoded))) throw DynamoException.Validation("Provided list of item keys contains duplicates");
                t.EncodedKeys.Add(encoded);
            }
        }

        var mode = ConsumedCapacity.Mode(returnCapacity);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("Responses"u8);
        long responseBytes = 0;
        var unprocessed = new List<(TableRequest, int)>();
        var units = new double[tables.Count];
        for (int ti = 0; ti < tables.Count; ti++)
        {
            var t = tables[ti];
            // Keyed as the request keyed the entry, name or ARN (API reference, BatchGetItem Responses: "A map of
            // table name or table ARN to a list of items"), so a table named both ways keeps two entries.
            w.WriteStartArray(t.Name);
            for (int k = 0; k < t.EncodedKeys.Count; k++)
            {
                if (responseBytes > MaxResponseBytes)
                {
                    unprocessed.Add((t, k));
                    continue;
                }
                var stored = store.ReadItem(t.Table!, t.EncodedKeys[k], out int size);
                units[ti] += ConsumedCapacity.ReadUnits(size, t.Consistent);
                if (stored is null) continue;
                responseBytes += stored.Length;
                if (t.Paths is null) response.WriteRawValue(stored);
                else AttributeValueJson.WriteMap(w, Projection.Apply(StoredItem.Parse(stored), t.Paths));
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteStartObject("UnprocessedKeys"u8);
        WriteUnprocessed(w, unprocessed);
        w.WriteEndObject();
        if (mode != CapacityMode.None)
        {
            w.WriteStartArray("ConsumedCapacity"u8);
            for (int ti = 0; ti < tables.Count; ti++) ConsumedCapacity.WriteValue(w, mode, tables[ti].Table!.Name, units[ti], CapacitySplit.None, requestedName: tables[ti].Name);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return Task.CompletedTask;
    }

    private static void WriteUnprocessed(Utf8JsonWriter w, List<(TableRequest Table, int Index)> unprocessed)
    {
        TableRequest? current = null;
        foreach (var (t, index) in unprocessed)
        {
            if (t != current)
            {
                if (current is not null) { w.WriteEndArray(); w.WriteEndObject(); }
                current = t;
                // The entry is the request's own, minus the keys already answered, so a client resends it as is.
                w.WriteStartObject(t.Name);
                w.WriteBoolean("ConsistentRead"u8, t.Consistent);
                if (t.Projection is not null) w.WriteString("ProjectionExpression"u8, t.Projection);
                if (t.Expressions.Names is { } names)
                {
                    w.WriteStartObject("ExpressionAttributeNames"u8);
                    foreach (var (placeholder, name) in names) w.WriteString(placeholder, name);
                    w.WriteEndObject();
                }
                if (t.AttributesToGet is { } attributes)
                {
                    w.WriteStartArray("AttributesToGet"u8);
                    foreach (var a in attributes) w.WriteStringValue(a);
                    w.WriteEndArray();
                }
                w.WriteStartArray("Keys"u8);
            }
            AttributeValueJson.WriteMap(w, t.Keys[index]);
        }
        if (current is not null) { w.WriteEndArray(); w.WriteEndObject(); }
    }

    private static List<TableRequest> ReadRequestItems(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var result = new List<TableRequest>();
        while (JsonRequest.NextMember(ref reader))
        {
            var t = new TableRequest { Name = JsonRequest.GetString(ref reader) };
            if (!JsonRequest.ValueOf(ref reader)) continue;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("Keys"u8))
                {
                    if (!JsonRequest.ValueOf(ref reader)) continue;
                    JsonRequest.ExpectArray(ref reader);
                    t.KeysPresent = true;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        if (reader.TokenType != JsonTokenType.Null) t.Keys.Add(AttributeValueJson.ReadMap(ref reader, ref valueError));
                }
                else if (reader.ValueTextEquals("ProjectionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) t.Projection = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) t.Expressions.ReadNames(ref reader); }
                else if (reader.ValueTextEquals("ConsistentRead"u8)) { if (JsonRequest.ValueOf(ref reader)) t.Consistent = JsonRequest.ReadBoolean(ref reader); }
                else if (reader.ValueTextEquals("AttributesToGet"u8)) { if (JsonRequest.ValueOf(ref reader)) t.AttributesToGet = GetItem.ReadStrings(ref reader); }
                else JsonRequest.SkipValue(ref reader);
            }
            result.Add(t);
        }
        return result;
    }
}
