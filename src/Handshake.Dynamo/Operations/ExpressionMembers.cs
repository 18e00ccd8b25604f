using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// ExpressionAttributeNames and ExpressionAttributeValues as request members: parsing, and the checks AWS makes
/// before any expression is parsed (present without an expression, empty, badly named keys, invalid values).
/// </summary>
internal sealed class ExpressionMembers
{
    // AWS: "The maximum length of any single expression attribute name or expression attribute value is 255 bytes"
    // (the placeholder, #name or :value, not what it stands for).
    private const int MaxKeyBytes = 255;

    public Dictionary<string, string>? Names;
    public Dictionary<string, AttributeValue>? Values;
    private string? _valueError;
    private string? _bareValueError;

    public void ReadNames(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        Names = new Dictionary<string, string>(StringComparer.Ordinal);
        while (JsonRequest.NextMember(ref reader))
        {
            var key = JsonRequest.GetString(ref reader);
            if (JsonRequest.ValueOf(ref reader)) Names[key] = JsonRequest.ReadString(ref reader);
        }
    }

    public void ReadValues(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        Values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        while (JsonRequest.NextMember(ref reader))
        {
            var key = JsonRequest.GetString(ref reader);
            if (!JsonRequest.ValueOf(ref reader)) continue;
            string? error = null;
            var value = AttributeValueJson.Read(ref reader, ref error);
            if (value is not null) Values[key] = value;
            else if (_valueError is null)
            {
                // Worded like an empty ExpressionAttributeNames value, without the request envelope inside (by analogy:
                // AWS's own text for an empty map key inside a value placeholder was not found).
                if (error == AttributeValueJson.EmptyName) error = AttributeValueJson.EmptyNameText;
                _valueError = "ExpressionAttributeValues contains invalid value: " + error + " for key " + key;
                _bareValueError = error;
            }
        }
    }

    /// <summary>
    /// AWS's checks, given which expression members the request has. <paramref name="valueExpressions"/> names the
    /// expressions that could use values, for the "can only be specified" message (e.g. "ConditionExpression").
    /// </summary>
    /// <param name="bareValueErrors">
    /// Query answers an invalid value with the value's own error, unwrapped, and an empty number with AWS's newer
    /// "...numeric value: " (captured from AWS by the public conformance suite); Scan and the transactions still wrap
    /// it in "ExpressionAttributeValues contains invalid value: ... for key :v".
    /// </param>
    public ExpressionAttributes Prepare(bool anyExpression, string valueExpressions, bool bareValueErrors = false)
    {
        if (Names is not null && !anyExpression)
            throw DynamoException.Validation("ExpressionAttributeNames can only be specified when using expressions");
        if (Values is not null && !anyExpression)
            throw DynamoException.Validation("ExpressionAttributeValues can only be specified when using expressions: " + valueExpressions + (valueExpressions.Contains(" and ", StringComparison.Ordinal) ? " are null" : " is null"));
        if (Names is { Count: 0 }) throw DynamoException.Validation("ExpressionAttributeNames must not be empty");
        if (Values is { Count: 0 } && _valueError is null) throw DynamoException.Validation("ExpressionAttributeValues must not be empty");
        if (Names is not null)
            foreach (var key in Names.Keys)
            {
                if (System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
                    throw DynamoException.Validation("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: "
                        + System.Text.Encoding.UTF8.GetByteCount(key));
                if (key.Length < 2 || key[0] != '#')
                    throw DynamoException.Validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
            }
        if (Names is not null)
            foreach (var (key, name) in Names)
            {
                // AWS's text for an empty name here names the placeholder (quoted from AWS responses in applications'
                // error handling, e.g. "...Empty attribute name for key #DE").
                if (name.Length == 0) throw DynamoException.Validation("ExpressionAttributeNames contains invalid value: Empty attribute name for key " + key);
                if (AttributeValueJson.IsNameTooLarge(name)) throw DynamoException.Validation(AttributeValueJson.NameTooLarge);
            }
        if (Values is not null)
            foreach (var key in Values.Keys)
            {
                // DynamoDB Local words this one without the size; AWS's own text for it was not found.
                if (System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
                    throw DynamoException.Validation("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long");
                if (key.Length < 2 || key[0] != ':')
                    throw DynamoException.Validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
            }
        if (_valueError is not null)
            throw DynamoException.Validation(!bareValueErrors ? _valueError
                : _bareValueError == "The parameter cannot be converted to a numeric value" ? _bareValueError + ": " : _bareValueError!);
        return new ExpressionAttributes(Names, Values);
    }
}
