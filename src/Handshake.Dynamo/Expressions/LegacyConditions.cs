using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>One entry of a legacy condition map (Expected, KeyConditions, QueryFilter, ScanFilter).</summary>
internal sealed record LegacyCondition(AttributeValue? Value, bool? Exists, string? ComparisonOperator, List<AttributeValue>? AttributeValueList);

/// <summary>One entry of legacy AttributeUpdates.</summary>
internal sealed record LegacyUpdate(AttributeValue? Value, string? Action);

/// <summary>
/// Translates the pre-expression parameters into the same trees expressions parse to, after AWS's own checks on
/// them, so the evaluator and the update code have one implementation each.
/// </summary>
internal static class LegacyConditions
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>Expected (with ConditionalOperator) as a condition; null when absent.</summary>
    public static ConditionNode? FromExpected(Dictionary<string, LegacyCondition>? expected, string? conditionalOperator)
    {
        if (expected is null) return null;
        var nodes = new List<ConditionNode>();
        foreach (var (name, c) in expected)
        {
            if (c.AttributeValueList is not null && c.Value is not null)
                throw DynamoException.Validation(Invalid + "Value and AttributeValueList cannot be used together for Attribute: " + name);
            if (c.ComparisonOperator is not null)
            {
                if (c.Exists is not null)
                    throw DynamoException.Validation(Invalid + "Exists and ComparisonOperator cannot be used together for Attribute: " + name);
                if (c.ComparisonOperator is not ("NULL" or "NOT_NULL") && c.AttributeValueList is null && c.Value is null)
                    throw DynamoException.Validation(Invalid + "Value or AttributeValueList must be used with ComparisonOperator: " + c.ComparisonOperator + " for Attribute: " + name);
                var values = c.AttributeValueList ?? (c.Value is null ? [] : [c.Value]);
                if (!ArgumentCountFits(c.ComparisonOperator, values.Count))
                    throw DynamoException.Validation(Invalid + "Invalid number of argument(s) for the " + c.ComparisonOperator + " ComparisonOperator");
                CheckSameTypeAndBetween(values, c.ComparisonOperator);
                nodes.Add(Comparison(name, c.ComparisonOperator, values));
            }
            else if (c.AttributeValueList is not null)
            {
                throw DynamoException.Validation(Invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name);
            }
            else
            {
                bool exists = c.Exists ?? true;
                if (exists && c.Value is null)
                    throw DynamoException.Validation(Invalid + "Value must be provided when Exists is " + (c.Exists is null ? "null" : "true") + " for Attribute: " + name);
                if (!exists && c.Value is not null)
                    throw DynamoException.Validation(Invalid + "Value cannot be used when Exists is false for Attribute: " + name);
                nodes.Add(exists ? Comparison(name, "EQ", [c.Value!]) : Comparison(name, "NULL", []));
            }
        }
        return Combine(nodes, conditionalOperator);
    }

    /// <summary>QueryFilter, ScanFilter or KeyConditions as a condition; null when absent.</summary>
    public static ConditionNode? FromFilter(Dictionary<string, LegacyCondition>? filter, string? conditionalOperator)
    {
        if (filter is null) return null;
        var nodes = new List<ConditionNode>();
        foreach (var (name, c) in filter)
        {
            var op = c.ComparisonOperator!;
            var values = c.AttributeValueList ?? [];
            if (!ArgumentCountFits(op, values.Count))
                throw DynamoException.Validation(Invalid + "Invalid number of argument(s) for the " + op + " ComparisonOperator");
            if (values.Count > 0)
            {
                var type = values[0].Type;
                foreach (var v in values)
                    if (v.Type != type) throw DynamoException.Validation(Invalid + "AttributeValues inside AttributeValueList must be of same type");
            }
            string[]? allowed = op switch
            {
                "EQ" or "NE" => ["S", "N", "B", "SS", "NS", "BS"],
                "LE" or "LT" or "GE" or "GT" or "CONTAINS" or "NOT_CONTAINS" or "IN" or "BETWEEN" => ["S", "N", "B"],
                "BEGINS_WITH" => ["S", "B"],
                _ => null,
            };
            if (allowed is not null)
                foreach (var v in values)
                    if (Array.IndexOf(allowed, v.Type.ToString()) < 0)
                        throw DynamoException.Validation(Invalid + "ComparisonOperator " + op + " is not valid for " + v.Type + " AttributeValue type");
            CheckSameTypeAndBetween(values, op);
            nodes.Add(Comparison(name, op, values));
        }
        return Combine(nodes, conditionalOperator);
    }

    private static bool ArgumentCountFits(string op, int count) => op switch
    {
        "NULL" or "NOT_NULL" => count == 0,
        "IN" => count >= 1,
        "BETWEEN" => count == 2,
        _ => count == 1,
    };

    private static void CheckSameTypeAndBetween(List<AttributeValue> values, string op)
    {
        if (values.Count == 0) return;
        foreach (var v in values)
            if (v.Type != values[0].Type) throw DynamoException.Validation(Invalid + "AttributeValues inside AttributeValueList must be of same type");
        if (op == "BETWEEN" && ValueOrder.Compare(values[0], values[1]) is > 0)
            throw DynamoException.Validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    }

    private static ConditionNode? Combine(List<ConditionNode> nodes, string? conditionalOperator)
    {
        if (nodes.Count == 0) return null;
        var result = nodes[0];
        for (int i = 1; i < nodes.Count; i++)
            result = conditionalOperator == "OR" ? new OrNode(result, nodes[i]) : new AndNode(result, nodes[i]);
        return result;
    }

    /// <summary>One legacy ComparisonOperator on a top-level attribute, as a condition node.</summary>
    public static ConditionNode Comparison(string name, string op, List<AttributeValue> values)
    {
        var path = new PathOperand(new AttributePath([new PathElement(name, 0)]));
        Operand Value(int i) => new ValueOperand(values[i]);
        return op switch
        {
            "EQ" => new ComparisonNode(Comparator.Equal, path, Value(0)),
            "NE" => new ComparisonNode(Comparator.NotEqual, path, Value(0)),
            "LT" => new ComparisonNode(Comparator.Less, path, Value(0)),
            "LE" => new ComparisonNode(Comparator.LessOrEqual, path, Value(0)),
            "GT" => new ComparisonNode(Comparator.Greater, path, Value(0)),
            "GE" => new ComparisonNode(Comparator.GreaterOrEqual, path, Value(0)),
            "NULL" => new FunctionNode("attribute_not_exists", [path]),
            "NOT_NULL" => new FunctionNode("attribute_exists", [path]),
            "CONTAINS" => new FunctionNode("contains", [path, Value(0)]),
            "NOT_CONTAINS" => new AndNode(new FunctionNode("attribute_exists", [path]), new NotNode(new FunctionNode("contains", [path, Value(0)]))),
            "BEGINS_WITH" => new FunctionNode("begins_with", [path, Value(0)]),
            "IN" => new InNode(path, values.ConvertAll<Operand>(v => new ValueOperand(v))),
            _ => new BetweenNode(path, Value(0), Value(1)),
        };
    }

    /// <summary>AttributeUpdates as update actions; null when absent.</summary>
    public static UpdateExpression? FromAttributeUpdates(Dictionary<string, LegacyUpdate>? updates)
    {
        if (updates is null) return null;
        var actions = new List<UpdateAction>();
        foreach (var (name, u) in updates)
        {
            var action = u.Action ?? "PUT";
            if (u.Value is null && action != "DELETE")
                throw DynamoException.Validation(Invalid + "Only DELETE action is allowed when no attribute value is specified");
            var type = u.Value?.Type;
            if (u.Value is not null && action == "DELETE" && type is not (AttributeType.SS or AttributeType.NS or AttributeType.BS))
                throw DynamoException.Validation(Invalid + "DELETE action with value is not supported for the type " + type);
            if (u.Value is not null && action == "ADD" && type is not (AttributeType.L or AttributeType.SS or AttributeType.NS or AttributeType.BS or AttributeType.N))
                throw DynamoException.Validation(Invalid + "ADD action is not supported for the type " + type);
            var path = new AttributePath([new PathElement(name, 0)]);
            if (action == "PUT") actions.Add(new UpdateAction(UpdateActionKind.Set, path, new LiteralValue(u.Value!)));
            else if (action == "DELETE" && u.Value is null) actions.Add(new UpdateAction(UpdateActionKind.Remove, path, null));
            else if (action == "DELETE") actions.Add(new UpdateAction(UpdateActionKind.Delete, path, new LiteralValue(u.Value!)));
            else if (type == AttributeType.L)
            {
                // Legacy ADD appends to a list (creating it when absent); expressions spell that with list_append.
                var existing = new IfNotExistsValue(path, new LiteralValue(AttributeValue.FromList([])));
                actions.Add(new UpdateAction(UpdateActionKind.Set, path,
                    new ListAppendValue(existing, new LiteralValue(u.Value!), UpdateExpression.LegacyTypeMismatch)));
            }
            else actions.Add(new UpdateAction(UpdateActionKind.Add, path, new LiteralValue(u.Value!)));
        }
        return new UpdateExpression(actions, UpdateExpression.LegacyTypeMismatch);
    }
}
