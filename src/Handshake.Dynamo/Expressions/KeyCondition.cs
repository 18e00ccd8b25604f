using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>One condition on a key attribute: a legacy ComparisonOperator name and its values.</summary>
internal sealed record KeyConditionPart(string Attribute, string Operator, List<AttributeValue> Values);

/// <summary>
/// A Query's key condition, from a KeyConditionExpression or legacy KeyConditions: equality on the partition key and
/// at most one of =, &lt;, &lt;=, &gt;, &gt;=, BETWEEN, begins_with on the sort key. Checked against the key schema
/// being queried (the table's or an index's) with AWS's messages, then turned into a seek range.
/// </summary>
internal sealed class KeyCondition
{
    private const string Invalid = "One or more parameter values were invalid: ";
    private readonly List<KeyConditionPart> _parts;

    private KeyCondition(List<KeyConditionPart> parts) => _parts = parts;

    public KeyConditionPart Hash { get; private set; } = null!;
    public KeyConditionPart? Range { get; private set; }

    /// <summary>Converts a parsed KeyConditionExpression, rejecting what a key condition cannot be.</summary>
    public static KeyCondition FromExpression(ConditionNode node)
    {
        var parts = new List<KeyConditionPart>();
        Collect(node, parts);
        return Checked(parts, fromExpression: true);
    }

    /// <summary>Legacy KeyConditions, already checked by <see cref="LegacyConditions"/>'s filter rules.</summary>
    public static KeyCondition FromLegacy(Dictionary<string, LegacyCondition> conditions)
    {
        LegacyConditions.FromFilter(conditions, null);
        var parts = new List<KeyConditionPart>();
        foreach (var (name, c) in conditions) parts.Add(new KeyConditionPart(name, c.ComparisonOperator!, c.AttributeValueList ?? []));
        return Checked(parts, fromExpression: false);
    }

    private static KeyCondition Checked(List<KeyConditionPart> parts, bool fromExpression)
    {
        foreach (var part in parts)
        {
            if (part.Operator == "BEGINS_WITH" && part.Values[0].Type is not (AttributeType.S or AttributeType.B))
                throw DynamoException.Validation(Invalid + "ComparisonOperator BEGINS_WITH is not valid for " + part.Values[0].Type + " AttributeValue type");
            if (part.Operator == "BETWEEN" && ValueOrder.Compare(part.Values[0], part.Values[1]) is > 0)
                throw DynamoException.Validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
        }
        // An expression with more conditions than the key has attributes is refused once the schema is known (Bind).
        if (!fromExpression && parts.Count is not (1 or 2)) throw DynamoException.Validation("Conditions can be of length 1 or 2 only");
        return new KeyCondition(parts);
    }

    private static DynamoException Fail(string message) => DynamoException.Validation(message);

    private static void Collect(ConditionNode node, List<KeyConditionPart> parts)
    {
        switch (node)
        {
            case AndNode and:
                Collect(and.Left, parts);
                Collect(and.Right, parts);
                return;
            case OrNode: throw Fail("Invalid operator used in KeyConditionExpression: OR");
            case NotNode: throw Fail("Invalid operator used in KeyConditionExpression: NOT");
            case InNode: throw Fail("Invalid operator used in KeyConditionExpression: IN");
            case ComparisonNode { Comparator: Comparator.NotEqual }: throw Fail("Invalid operator used in KeyConditionExpression: <>");
            case FunctionNode { Function: not "begins_with" } f: throw Fail("Invalid operator used in KeyConditionExpression: " + f.Function);
            case ComparisonNode c:
            {
                bool flipped = c.Left is not PathOperand && c.Right is PathOperand;
                var (path, value) = flipped ? (c.Right, c.Left) : (c.Left, c.Right);
                CheckOperands(path, value);
                if (c.Comparator != Comparator.Equal) CheckOrderable(ExpressionParser.ComparatorText(c.Comparator), value);
                string op = (c.Comparator, flipped) switch
                {
                    (Comparator.Equal, _) => "EQ",
                    (Comparator.Less, false) or (Comparator.Greater, true) => "LT",
                    (Comparator.LessOrEqual, false) or (Comparator.GreaterOrEqual, true) => "LE",
                    (Comparator.Greater, false) or (Comparator.Less, true) => "GT",
                    _ => "GE",
                };
                Add(parts, (PathOperand)path, op, [((ValueOperand)value).Value]);
                return;
            }
            case BetweenNode b:
                if (b.Value is not PathOperand)
                {
                    if (b.Value is SizeOperand || b.Low is SizeOperand || b.High is SizeOperand) throw Fail("KeyConditionExpressions cannot contain nested operations");
                    throw Fail("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
                }
                CheckOperands(b.Value, b.Low, b.High);
                CheckOrderable("BETWEEN", b.Low, b.High);
                Add(parts, (PathOperand)b.Value, "BETWEEN", [((ValueOperand)b.Low).Value, ((ValueOperand)b.High).Value]);
                return;
            case FunctionNode f:
                if (f.Arguments[0] is not PathOperand)
                    throw Fail("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
                CheckOperands(f.Arguments[0], f.Arguments[1]);
                Add(parts, (PathOperand)f.Arguments[0], "BEGINS_WITH", [((ValueOperand)f.Arguments[1]).Value]);
                return;
            default:
                throw Fail("Invalid condition in KeyConditionExpression: No key attribute specified");
        }
    }

    // Exactly one operand names the key attribute (top level); the others are values.
    private static void CheckOperands(params Operand[] operands)
    {
        int paths = 0;
        foreach (var operand in operands)
        {
            if (operand is SizeOperand) throw Fail("KeyConditionExpressions cannot contain nested operations");
            if (operand is not PathOperand path) continue;
            if (++paths > 1) throw Fail("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
            if (path.Path.Elements.Count > 1) throw Fail("KeyConditionExpressions cannot have conditions on nested attributes");
        }
        if (paths == 0) throw Fail("Invalid condition in KeyConditionExpression: No key attribute specified");
    }

    // No key is ever a BOOL, NULL, list, map or set: ordering one against such a value is an expression error naming
    // the operator as written (a value of another key type fails the schema check in Bind instead).
    private static void CheckOrderable(string op, params Operand[] values)
    {
        foreach (var value in values)
            if (value is ValueOperand { Value.Type: not (AttributeType.S or AttributeType.N or AttributeType.B) } v)
                throw Fail("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + v.Value.Type);
    }

    private static void Add(List<KeyConditionPart> parts, PathOperand path, string op, List<AttributeValue> values)
    {
        var name = path.Path.TopLevelName;
        foreach (var part in parts)
            if (part.Attribute == name) throw Fail("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key");
        parts.Add(new KeyConditionPart(name, op, values));
    }

    /// <summary>Matches the condition to the key schema queried, with AWS's messages, in AWS's order.</summary>
    public void Bind(KeyAttribute hash, KeyAttribute? range)
    {
        int keyAttributes = range is null ? 1 : 2;
        if (_parts.Count > 2)
            throw Fail("The number of query conditions (" + _parts.Count + ") exceeds the number of key attributes defined in the schema (" + keyAttributes + ")");
        if (range is null && _parts.Count > 1) throw Fail("Query key condition not supported");
        KeyConditionPart? hashPart = null, rangePart = null;
        foreach (var part in _parts)
        {
            if (part.Attribute == hash.Name) hashPart = part;
            else if (part.Attribute == range?.Name) rangePart = part;
        }
        if (hashPart is null) throw Fail("Query condition missed key schema element: " + hash.Name);
        if (_parts.Count > 1 && rangePart is null) throw Fail("Query condition missed key schema element: " + range!.Name);
        foreach (var (part, key) in new[] { (hashPart, hash), (rangePart, range) })
        {
            if (part is null) continue;
            if (part.Operator is "NULL" or "NOT_NULL" or "NE" or "CONTAINS" or "NOT_CONTAINS" or "IN")
                throw Fail("Attempted conditional constraint is not an indexable operation");
            foreach (var value in part.Values)
                if (value.Type != key!.Type) throw Fail(Invalid + "Condition parameter type does not match schema type");
        }
        // An empty key value matches nothing, but AWS refuses it rather than answer with no items, for the sort key
        // under any operator too (an application's "sk > :after" with :after = "" fails on AWS).
        foreach (var (part, key) in new[] { (hashPart, hash), (rangePart, range) })
            if (part is not null)
                foreach (var value in part.Values) PrimaryKey.ThrowIfEmpty(key!.Name, value);
        if (hashPart.Operator != "EQ") throw Fail("Query key condition not supported");
        Hash = hashPart;
        Range = rangePart;
    }

    /// <summary>Whether an (encoded) sort key satisfies the range condition; true without one.</summary>
    public bool RangeMatches(AttributeValue rangeValue)
    {
        if (Range is null) return true;
        var v = Range.Values;
        int c = ValueOrder.Compare(rangeValue, v[0]) ?? -2;
        return Range.Operator switch
        {
            "EQ" => c == 0,
            "LT" => c < 0,
            "LE" => c <= 0,
            "GT" => c > 0,
            "GE" => c >= 0,
            "BETWEEN" => c >= 0 && ValueOrder.Compare(rangeValue, v[1]) is <= 0,
            _ => new FunctionNode("begins_with", [new ValueOperand(rangeValue), new ValueOperand(v[0])]).Evaluate(null),
        };
    }
}
