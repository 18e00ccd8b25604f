using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// GetItem. Every read is strongly consistent here (a write is acknowledged only once committed), so ConsistentRead
/// changes only the capacity charged. Without a projection the stored JSON is copied to the response untouched.
/// </summary>
internal static class GetItem
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? tableName = null, projection = null, returnCapacity = null;
        Dictionary<string, AttributeValue>? key = null;
        List<string>? attributesToGet = null;
        bool consistent = false;
        string? valueError = null;
        var expressions = new ExpressionMembers();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) key = AttributeValueJson.ReadMap(ref reader, ref valueError); }
            else if (reader.ValueTextEquals("ConsistentRead"u8)) { if (JsonRequest.ValueOf(ref reader)) consistent = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("ProjectionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) projection = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) expressions.ReadNames(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("AttributesToGet"u8)) { if (JsonRequest.ValueOf(ref reader)) attributesToGet = ReadStrings(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        errors.NotNull(key, "key");
        ConsumedCapacity.Validate(returnCapacity, errors);
        if (attributesToGet is { Count: 0 }) errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
        errors.ThrowIfAny();
        if (valueError is not null) throw DynamoException.Validation(valueError);
        if (attributesToGet is not null && projection is not null)
            throw DynamoException.Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
        var attributes = expressions.Prepare(projection is not null, "ProjectionExpression");
        var paths = ProjectionPaths(projection, attributesToGet, attributes);
        attributes.ThrowIfUnused();

        var table = store.GetTable(tableName!);
        var primaryKey = PrimaryKey.FromKey(table, key!);
        var stored = store.ReadItem(table, primaryKey, out int size);

        var w = response.Writer;
        w.WriteStartObject();
        if (stored is not null)
        {
            if (paths is null)
            {
                w.WritePropertyName("Item"u8);
                response.WriteRawValue(stored);
            }
            else
            {
                var projected = Projection.Apply(StoredItem.Parse(stored), paths);
                // DynamoDB returns an empty Item when the item exists but no projected attribute does.
                w.WritePropertyName("Item"u8);
                AttributeValueJson.WriteMap(w, projected);
            }
        }
        ConsumedCapacity.WriteMember(w, ConsumedCapacity.Mode(returnCapacity), table.Name, ConsumedCapacity.ReadUnits(size, consistent), requestedName: tableName);
        w.WriteEndObject();
        return Task.CompletedTask;
    }

    internal static List<AttributePath>? ProjectionPaths(string? projection, List<string>? attributesToGet, ExpressionAttributes attributes)
    {
        if (projection is not null) return ProjectionChecks.CheckOverlaps(ExpressionParser.ParseProjection(projection, attributes));
        if (attributesToGet is null) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<AttributePath>();
        foreach (var name in attributesToGet)
        {
            if (!seen.Add(name))
                throw DynamoException.Validation("One or more parameter values were invalid: Duplicate value in attribute name: " + name);
            paths.Add(new AttributePath([new PathElement(name, 0)]));
        }
        return paths;
    }

    internal static List<string> ReadStrings(ref System.Text.Json.Utf8JsonReader reader)
    {
        JsonRequest.ExpectArray(ref reader);
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray)
            if (reader.TokenType != System.Text.Json.JsonTokenType.Null) list.Add(JsonRequest.ReadString(ref reader));
        return list;
    }
}
