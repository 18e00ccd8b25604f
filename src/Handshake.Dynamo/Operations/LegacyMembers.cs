using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The pre-expression request members (Expected, ConditionalOperator, AttributesToGet, KeyConditions, QueryFilter,
/// ScanFilter, AttributeUpdates) as any item or read operation may carry them: read from JSON here, translated by
/// <see cref="LegacyConditions"/>.
/// </summary>
internal sealed class LegacyMembers
{
    private const string ComparisonOperators = "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS";
    private static readonly string[] ComparisonOperatorValues =
        ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"];

    public Dictionary<string, LegacyCondition>? Expected;
    public Dictionary<string, LegacyCondition>? KeyConditions;
    public Dictionary<string, LegacyCondition>? QueryFilter;
    public Dictionary<string, LegacyCondition>? ScanFilter;
    public Dictionary<string, LegacyUpdate>? AttributeUpdates;
    public List<string>? AttributesToGet;
    public string? ConditionalOperator;

    /// <summary>Reads the member at the reader if it is a legacy one; false (nothing consumed) otherwise.</summary>
    public bool TryRead(ref Utf8JsonReader reader, ref string? valueError)
    {
        if (reader.ValueTextEquals("Expected"u8)) { if (JsonRequest.ValueOf(ref reader)) Expected = ReadConditions(ref reader, ref valueError); }
        else if (reader.ValueTextEquals("KeyConditions"u8)) { if (JsonRequest.ValueOf(ref reader)) KeyConditions = ReadConditions(ref reader, ref valueError); }
        else if (reader.ValueTextEquals("QueryFilter"u8)) { if (JsonRequest.ValueOf(ref reader)) QueryFilter = ReadConditions(ref reader, ref valueError); }
        else if (reader.ValueTextEquals("ScanFilter"u8)) { if (JsonRequest.ValueOf(ref reader)) ScanFilter = ReadConditions(ref reader, ref valueError); }
        else if (reader.ValueTextEquals("AttributeUpdates"u8)) { if (JsonRequest.ValueOf(ref reader)) AttributeUpdates = ReadUpdates(ref reader, ref valueError); }
        else if (reader.ValueTextEquals("AttributesToGet"u8)) { if (JsonRequest.ValueOf(ref reader)) AttributesToGet = GetItem.ReadStrings(ref reader); }
        else if (reader.ValueTextEquals("ConditionalOperator"u8)) { if (JsonRequest.ValueOf(ref reader)) ConditionalOperator = JsonRequest.ReadString(ref reader); }
        else return false;
        return true;
    }

    /// <summary>Member constraints, reported with the operation's other constraint violations.</summary>
    public void ValidateMembers(ValidationErrors errors)
    {
        errors.Enum(ConditionalOperator, "conditionalOperator", "AND, OR", "AND", "OR");
        ValidateOperators(Expected, "expected", errors);
        ValidateOperators(KeyConditions, "keyConditions", errors);
        ValidateOperators(QueryFilter, "queryFilter", errors);
        ValidateOperators(ScanFilter, "scanFilter", errors);
        if (AttributesToGet is { Count: 0 }) errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
        if (AttributeUpdates is not null)
            foreach (var (name, update) in AttributeUpdates)
                errors.Enum(update.Action, "attributeUpdates." + name + ".member.action", "ADD, PUT, DELETE", "ADD", "PUT", "DELETE");
    }

    private static void ValidateOperators(Dictionary<string, LegacyCondition>? conditions, string member, ValidationErrors errors)
    {
        if (conditions is null) return;
        foreach (var (name, condition) in conditions)
        {
            if (condition.ComparisonOperator is null && member != "expected")
                errors.Add(null, member + "." + name + ".member.comparisonOperator", "Member must not be null");
            errors.Enum(condition.ComparisonOperator, member + "." + name + ".member.comparisonOperator", ComparisonOperators, ComparisonOperatorValues);
        }
    }

    /// <summary>AWS refuses a request that mixes expression and legacy members, naming the ones present of each.</summary>
    public static void ThrowIfMixed((object? Value, string Name)[] expressions, (object? Value, string Name)[] legacy)
    {
        var usedExpressions = new List<string>();
        foreach (var (value, name) in expressions) if (value is not null) usedExpressions.Add(name);
        if (usedExpressions.Count == 0) return;
        var usedLegacy = new List<string>();
        foreach (var (value, name) in legacy) if (value is not null) usedLegacy.Add(name);
        if (usedLegacy.Count == 0) return;
        throw DynamoException.Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {"
            + string.Join(", ", usedLegacy) + "} Expression parameters: {" + string.Join(", ", usedExpressions) + "}");
    }

    public ConditionNode? TranslateExpected() => LegacyConditions.FromExpected(Expected, ConditionalOperator);

    public UpdateExpression? TranslateAttributeUpdates() => LegacyConditions.FromAttributeUpdates(AttributeUpdates);

    private static Dictionary<string, LegacyCondition> ReadConditions(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var result = new Dictionary<string, LegacyCondition>(StringComparer.Ordinal);
        while (NextAttribute(ref reader, ref valueError, out var name))
        {
            AttributeValue? value = null;
            bool? exists = null;
            string? op = null;
            List<AttributeValue>? list = null;
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("Value"u8)) { if (JsonRequest.ValueOf(ref reader)) value = AttributeValueJson.Read(ref reader, ref valueError); }
                else if (reader.ValueTextEquals("Exists"u8)) { if (JsonRequest.ValueOf(ref reader)) exists = JsonRequest.ReadBoolean(ref reader); }
                else if (reader.ValueTextEquals("ComparisonOperator"u8)) { if (JsonRequest.ValueOf(ref reader)) op = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("AttributeValueList"u8))
                {
                    if (!JsonRequest.ValueOf(ref reader)) continue;
                    JsonRequest.ExpectArray(ref reader);
                    list = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.Null) continue;
                        var element = AttributeValueJson.Read(ref reader, ref valueError);
                        if (element is not null) list.Add(element);
                    }
                }
                else JsonRequest.SkipValue(ref reader);
            }
            result[name] = new LegacyCondition(value, exists, op, list);
        }
        return result;
    }

    private static Dictionary<string, LegacyUpdate> ReadUpdates(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var result = new Dictionary<string, LegacyUpdate>(StringComparer.Ordinal);
        while (NextAttribute(ref reader, ref valueError, out var name))
        {
            AttributeValue? value = null;
            string? action = null;
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("Value"u8)) { if (JsonRequest.ValueOf(ref reader)) value = AttributeValueJson.Read(ref reader, ref valueError); }
                else if (reader.ValueTextEquals("Action"u8)) { if (JsonRequest.ValueOf(ref reader)) action = JsonRequest.ReadString(ref reader); }
                else JsonRequest.SkipValue(ref reader);
            }
            result[name] = new LegacyUpdate(value, action);
        }
        return result;
    }

    /// <summary>
    /// Steps to the next entry of a legacy map keyed by attribute name (Expected and the other conditions,
    /// AttributeUpdates), leaving the reader at its structure: the name is checked as an attribute name, and an
    /// entry whose value is null is passed over. False at the end of the map.
    /// </summary>
    private static bool NextAttribute(ref Utf8JsonReader reader, ref string? valueError, out string name)
    {
        while (JsonRequest.NextMember(ref reader))
        {
            name = JsonRequest.GetString(ref reader);
            if (AttributeValueJson.NameError(name) is { } nameError) valueError ??= nameError;
            if (!JsonRequest.ValueOf(ref reader)) continue;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            return true;
        }
        name = "";
        return false;
    }
}
