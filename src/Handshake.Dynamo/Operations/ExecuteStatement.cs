using Handshake.Dynamo.PartiQL;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// ExecuteStatement: one PartiQL statement. A SELECT reads as GetItem, Query or Scan would (<see cref="PartiQLSelect"/>),
/// a page at a time with NextToken; INSERT, UPDATE and DELETE write one item through the group commit
/// (<see cref="PartiQLWrite"/>) and answer an empty Items list, or the item their RETURNING clause asks for.
/// </summary>
internal static class ExecuteStatement
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        var members = new StatementMembers();
        string? nextToken = null, returnCapacity = null;
        long? limit = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (members.TryRead(ref reader)) continue;
            if (reader.ValueTextEquals("NextToken"u8)) { if (JsonRequest.ValueOf(ref reader)) nextToken = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        members.Validate(errors, "");
        if (nextToken is { Length: 0 }) errors.Add(nextToken, "nextToken", "Member must have length greater than or equal to 1");
        errors.MaxLength(nextToken, "nextToken", 32768);
        if (limit is < 1) errors.Add(limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit", "Member must have value greater than or equal to 1");
        ConsumedCapacity.Validate(returnCapacity, errors);
        errors.ThrowIfAny();

        var statement = members.Parse();
        var capacity = ConsumedCapacity.Mode(returnCapacity);
        if (statement is SelectStatement select)
        {
            if (select.IsExists) throw DynamoException.Validation(PartiQLErrors.ExistsOutsideTransaction);
            PartiQLSelect.Respond(store, select, members.Statement!, members.Parameters, members.ConsistentRead, limit, nextToken, capacity, response);
            return;
        }

        var write = PartiQLWrite.Prepare(store, statement, members.ReturnOldOnFailure);
        await write.RunAsync(store).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Items"u8);
        if (write.Returned() is { } item) AttributeValueJson.WriteMap(w, item);
        w.WriteEndArray();
        var (units, indexes) = write.Capacity();
        ConsumedCapacity.WriteMember(w, capacity, write.Table.Name, units, indexes);
        w.WriteEndObject();
    }
}
