using Amazon.DynamoDBv2.Model;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// What AWS refuses in an item, with its messages: a table key missing or of the wrong type; a secondary index key of
/// the wrong type, or an empty string or binary (the message differs when an UpdateExpression wrote it). The fuzz puts
/// at most one such fault in a request, so the order AWS checks them in does not matter.
/// </summary>
internal static class StoreModelValidation
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public static string? Item(ModelTableShape shape, Dictionary<string, AttributeValue> item, bool fromUpdate)
    {
        foreach (string key in new[] { "pk", "sk" })
        {
            if (!item.TryGetValue(key, out AttributeValue? value))
            {
                return Invalid + "Missing the key " + key + " in the item";
            }

            if (TypeOf(value) != shape.TypeOfKey(key))
            {
                return Invalid + $"Type mismatch for key {key} expected: {shape.TypeOfKey(key)} actual: {TypeOf(value)}";
            }
        }

        foreach (ModelIndex index in shape.Indexes)
        {
            foreach (string key in new[] { index.Hash, index.Range }.OfType<string>().Where(k => k is not ("pk" or "sk")))
            {
                if (!item.TryGetValue(key, out AttributeValue? value))
                {
                    continue;
                }

                string type = TypeOf(value);
                if (type != shape.TypeOfKey(key))
                {
                    return Invalid + $"Type mismatch for Index Key {key} Expected: {shape.TypeOfKey(key)} Actual: {type} IndexName: {index.Name}";
                }

                if ((type == "S" && value.S.Length == 0) || (type == "B" && Bytes(value).Length == 0))
                {
                    string kind = type == "S" ? "string" : "binary";
                    return fromUpdate
                        ? "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty " + kind + " value."
                        : $"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. IndexName: {index.Name}, IndexKey: {key}";
                }
            }
        }

        return null;
    }

    /// <summary>One fault: a value of the wrong type, or an empty one, for a key attribute (or a table key left out).</summary>
    public static (string Attribute, AttributeValue? Value) Fault(StoreModelGenerator g, ModelTableShape shape, bool tableKeys)
    {
        string attribute = tableKeys ? g.Pick(["pk", "sk", "lsk", "g1h", "g1r", "g2h"]) : g.Pick(["lsk", "g1h", "g1r", "g2h"]);
        string type = shape.TypeOfKey(attribute);
        if (attribute is not ("pk" or "sk") && type != "N" && g.Chance(0.5))
        {
            return (attribute, type == "S" ? S("") : B([]));
        }

        if (attribute == "sk" && g.Chance(0.3))
        {
            return (attribute, null);
        }

        return (attribute, g.Pick(new[] { "S", "N", "B" }.Where(t => t != type).ToList()) switch
        {
            "S" => S("x"),
            "N" => N("1"),
            _ => B([0x01]),
        });
    }
}
