using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The request members PutItem, DeleteItem and UpdateItem share: the table, the condition (expression or legacy
/// Expected), the return options. Read in the same pass as the operation's own members, and validated in DynamoDB's
/// order, with the operation's own required member checked between the table name and the rest.
/// </summary>
internal sealed class ConditionalWriteMembers
{
    private readonly LegacyMembers _legacy = new();
    private readonly ExpressionMembers _expressions = new();
    private string? _condition, _returnValues, _returnCapacity, _metrics, _onFailure;

    public string? TableName { get; private set; }

    /// <summary>The first attribute-value error met while reading, raised after the member validation.</summary>
    public string? ValueError;

    /// <summary>Reads the current member if it is one of the shared ones; false leaves it to the operation.</summary>
    public bool TryRead(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) TableName = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("ConditionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) _condition = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) _expressions.ReadNames(ref reader); }
        else if (reader.ValueTextEquals("ExpressionAttributeValues"u8)) { if (JsonRequest.ValueOf(ref reader)) _expressions.ReadValues(ref reader); }
        else if (reader.ValueTextEquals("ReturnValues"u8)) { if (JsonRequest.ValueOf(ref reader)) _returnValues = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) _returnCapacity = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("ReturnItemCollectionMetrics"u8)) { if (JsonRequest.ValueOf(ref reader)) _metrics = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("ReturnValuesOnConditionCheckFailure"u8)) { if (JsonRequest.ValueOf(ref reader)) _onFailure = JsonRequest.ReadString(ref reader); }
        else return _legacy.TryRead(ref reader, ref ValueError);
        return true;
    }

    /// <summary>Validates the members after the table name and the operation's own required member.</summary>
    public void ValidateRest(ValidationErrors errors)
    {
        ConsumedCapacity.Validate(_returnCapacity, errors);
        ReturnValuesMember.Validate(_returnValues, errors);
        ReturnValuesMember.ValidateItemCollectionMetrics(_metrics, errors);
        ReturnValuesMember.ValidateOnConditionCheckFailure(_onFailure, errors);
        _legacy.ValidateMembers(errors);
        errors.ThrowIfAny();
        if (ValueError is not null) throw DynamoException.Validation(ValueError);
    }

    /// <summary>Parses the condition (ConditionExpression, or Expected translated), checking placeholders are all used.</summary>
    public ConditionNode? ParseCondition()
    {
        LegacyMembers.ThrowIfMixed([(_condition, "ConditionExpression")], [(_legacy.Expected, "Expected")]);
        var attributes = _expressions.Prepare(_condition is not null, "ConditionExpression");
        var node = _condition is null ? _legacy.TranslateExpected() : ExpressionParser.ParseCondition(_condition, attributes);
        attributes.ThrowIfUnused();
        return node;
    }

    // For UpdateItem, which parses its UpdateExpression (or AttributeUpdates) together with the condition, the two
    // sharing one set of placeholders, and accepts every ReturnValues, not only ALL_OLD and NONE.
    public string? ConditionExpression => _condition;
    public LegacyMembers Legacy => _legacy;
    public ExpressionMembers ExpressionMembers => _expressions;
    public string? ReturnValues => _returnValues;

    public bool ReturnOld => ReturnValuesMember.ReturnsOld(_returnValues);

    public bool ReturnOldOnFailure => _onFailure == "ALL_OLD";

    public string? ReturnItemCollectionMetrics => _metrics;

    public CapacityMode CapacityMode => ConsumedCapacity.Mode(_returnCapacity);
}
