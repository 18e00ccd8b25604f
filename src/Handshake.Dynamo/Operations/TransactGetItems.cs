using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// TransactGetItems: up to 100 Gets of distinct items, read as one snapshot. The reads run as a command on the
/// writer thread, between two writes and never during one, so no transaction or write is ever seen half-applied;
/// the answer is released only after the surrounding group commit, so nothing it read can be rolled back.
/// Each item costs 2 read units per 4 KB, a missing one 2.
/// </summary>
internal static class TransactGetItems
{
    private sealed class Get
    {
        public string? TableName, Projection;
        public Dictionary<string, AttributeValue>? Key;
        public readonly ExpressionMembers Expressions = new();
        public string? ValueError;
        public int Members;
        public TableDefinition Table = null!;
        public PrimaryKey PrimaryKey;
        public List<AttributePath>? Paths;
    }

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var (gets, returnCapacity) = Parse(body.Span);
        var errors = new ValidationErrors();
        TransactWriteItems.ValidateCount(gets, "TransactGetItem", errors);
        if (gets is not null)
        {
            for (int i = 0; i < gets.Count; i++)
            {
                if (gets[i].Members == 0) continue;
                errors.TableNameOrArn(gets[i].TableName, "transactItems." + (i + 1) + ".member.get.tableName");
                errors.NotNull(gets[i].Key, "transactItems." + (i + 1) + ".member.get.key");
            }
        }
        ConsumedCapacity.Validate(returnCapacity, errors);
        errors.ThrowIfAny();

        var seen = new HashSet<(long, PrimaryKey)>();
        CancellationReason[]? keyErrors = null;
        for (int i = 0; i < gets!.Count; i++)
        {
            var get = gets[i];
            if (get.Members != 1) throw DynamoException.Validation("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null");
            if (get.ValueError is not null) throw DynamoException.Validation(get.ValueError);
            var attributes = get.Expressions.Prepare(get.Projection is not null, "ProjectionExpression");
            get.Paths = get.Projection is null ? null : ProjectionChecks.CheckOverlaps(ExpressionParser.ParseProjection(get.Projection, attributes));
            attributes.ThrowIfUnused();
            get.Table = store.GetTable(get.TableName!);
            try
            {
                get.PrimaryKey = PrimaryKey.FromKey(get.Table, get.Key!);
            }
            catch (DynamoException e) when (e.Message == PrimaryKey.KeyMismatch)
            {
                // A key that does not match the schema (an empty Key included) is decided per action: the reads are
                // cancelled with a ValidationError reason, as the public conformance suite captured from AWS.
                keyErrors ??= new CancellationReason[gets.Count];
                keyErrors[i] = new CancellationReason("ValidationError", e.Message, null);
                continue;
            }
            if (!seen.Add((get.Table.InternalId, get.PrimaryKey)))
                throw DynamoException.Validation("Transaction request cannot include multiple operations on one item");
        }
        if (keyErrors is not null) throw TransactionCanceled.Create(keyErrors); // the other reasons: None

        var command = new TransactReadCommand(gets.ConvertAll(g => g.Table), gets.ConvertAll(g => g.PrimaryKey));
        await store.WriteAsync(command).ConfigureAwait(false);
        TransactWriteItems.ThrowIfOverSizeLimit(command.Bytes);

        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Responses"u8);
        for (int i = 0; i < gets.Count; i++)
        {
            w.WriteStartObject();
            if (gets[i].Paths is { } paths)
            {
                // A projection that matches nothing leaves no Item at all (BatchGetItem keeps an empty one).
                if (command.Items[i] is { } item && Projection.Apply(StoredItem.Parse(item), paths) is { Count: > 0 } projected)
                {
                    w.WritePropertyName("Item"u8);
                    AttributeValueJson.WriteMap(w, projected);
                }
            }
            else if (command.Items[i] is { } item)
            {
                w.WritePropertyName("Item"u8);
                response.WriteRawValue(item);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteCapacity(w, ConsumedCapacity.Mode(returnCapacity), command, gets.ConvertAll(g => g.TableName!));
        w.WriteEndObject();
    }

    /// <summary>
    /// ConsumedCapacity of a transactional read (also ExecuteTransaction's): twice a consistent read per item, summed
    /// per table in order of first appearance. <paramref name="requestedNames"/> (one per Get) are the tables as the
    /// request named them, name or ARN, and are what TableName answers, each its own entry (as TransactWriteItems);
    /// null answers the plain names (ExecuteTransaction, whose statements name tables by name).
    /// </summary>
    internal static void WriteCapacity(Utf8JsonWriter w, CapacityMode mode, TransactReadCommand command, List<string>? requestedNames = null)
    {
        if (mode == CapacityMode.None) return;
        var perTable = new List<(string Requested, string Table, double Units)>();
        for (int i = 0; i < command.Tables.Count; i++)
        {
            double units = 2 * ConsumedCapacity.ReadUnits(command.Sizes[i], consistent: true);
            string name = command.Tables[i].Name;
            string requested = requestedNames?[i] ?? name;
            int at = perTable.FindIndex(t => t.Requested == requested);
            if (at < 0) perTable.Add((requested, name, units));
            else perTable[at] = perTable[at] with { Units = perTable[at].Units + units };
        }
        w.WriteStartArray("ConsumedCapacity"u8);
        foreach (var (requested, table, units) in perTable) ConsumedCapacity.WriteValue(w, mode, table, units, CapacitySplit.Read, requestedName: requested);
        w.WriteEndArray();
    }

    private static (List<Get>?, string?) Parse(ReadOnlySpan<byte> body)
    {
        var reader = JsonRequest.Begin(body);
        List<Get>? gets = null;
        string? returnCapacity = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TransactItems"u8))
            {
                if (!JsonRequest.ValueOf(ref reader)) continue;
                JsonRequest.ExpectArray(ref reader);
                gets = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    if (reader.TokenType != JsonTokenType.Null) gets.Add(ReadGet(ref reader));
            }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        return (gets, returnCapacity);
    }

    private static Get ReadGet(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        var get = new Get();
        while (JsonRequest.NextMember(ref reader))
        {
            if (!reader.ValueTextEquals("Get"u8) || !JsonRequest.ValueOf(ref reader))
            {
                JsonRequest.SkipValue(ref reader);
                continue;
            }
            get.Members++;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) get.TableName = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) get.Key = AttributeValueJson.ReadMap(ref reader, ref get.ValueError); }
                else if (reader.ValueTextEquals("ProjectionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) get.Projection = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) get.Expressions.ReadNames(ref reader); }
                else JsonRequest.SkipValue(ref reader);
            }
        }
        return get;
    }
}
