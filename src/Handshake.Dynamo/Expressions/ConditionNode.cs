using System.Text;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>An operand of a comparison or function: a document path, a value placeholder, or size(path).</summary>
internal abstract class Operand
{
    /// <summary>The operand's value for an item; null when the path does not exist.</summary>
    public abstract AttributeValue? Evaluate(Dictionary<string, AttributeValue>? item);
}

internal sealed class PathOperand(AttributePath path) : Operand
{
    public AttributePath Path { get; } = path;
    public override AttributeValue? Evaluate(Dictionary<string, AttributeValue>? item) => Path.Resolve(item);
}

internal sealed class ValueOperand(AttributeValue value) : Operand
{
    public AttributeValue Value { get; } = value;
    public override AttributeValue? Evaluate(Dictionary<string, AttributeValue>? item) => Value;
}

/// <summary>size(path): string length, binary length, or element count; absent for other types.</summary>
internal sealed class SizeOperand(PathOperand path) : Operand
{
    public PathOperand Path { get; } = path;

    public override AttributeValue? Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var value = Path.Evaluate(item);
        if (value is null) return null;
        long size = value.Type switch
        {
            AttributeType.S => Encoding.UTF8.GetByteCount(value.S),
            AttributeType.B => value.B.Length,
            AttributeType.L => value.L.Count,
            AttributeType.M => value.M.Count,
            AttributeType.SS => value.SS.Count,
            AttributeType.NS => value.NS.Count,
            AttributeType.BS => value.BS.Count,
            _ => -1,
        };
        return size < 0 ? null : AttributeValue.FromNumber(DynamoNumber.Parse(size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>
/// A condition: the tree a ConditionExpression (and later a FilterExpression) parses to. Each node evaluates
/// itself against an item; a missing item is evaluated as an item with no attributes.
/// </summary>
internal abstract class ConditionNode
{
    public abstract bool Evaluate(Dictionary<string, AttributeValue>? item);
}

/// <summary>Always true: what an empty legacy condition map (Expected: {}) translates to.</summary>
internal sealed class TrueNode : ConditionNode
{
    public static readonly TrueNode Instance = new();
    public override bool Evaluate(Dictionary<string, AttributeValue>? item) => true;
}

internal sealed class AndNode(ConditionNode left, ConditionNode right) : ConditionNode
{
    public ConditionNode Left { get; } = left;
    public ConditionNode Right { get; } = right;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item) => Left.Evaluate(item) && Right.Evaluate(item);
}

internal sealed class OrNode(ConditionNode left, ConditionNode right) : ConditionNode
{
    public ConditionNode Left { get; } = left;
    public ConditionNode Right { get; } = right;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item) => Left.Evaluate(item) || Right.Evaluate(item);
}

internal sealed class NotNode(ConditionNode operand) : ConditionNode
{
    public ConditionNode Operand { get; } = operand;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item) => !Operand.Evaluate(item);
}

internal enum Comparator : byte
{
    Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual,
}

internal sealed class ComparisonNode(Comparator comparator, Operand left, Operand right) : ConditionNode
{
    public Comparator Comparator { get; } = comparator;
    public Operand Left { get; } = left;
    public Operand Right { get; } = right;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var a = Left.Evaluate(item);
        var b = Right.Evaluate(item);
        if (Comparator == Comparator.Equal) return a is not null && b is not null && a.ValueEquals(b);
        if (Comparator == Comparator.NotEqual) return a is null || b is null || !a.ValueEquals(b);
        if (a is null || b is null) return false;
        int? order = ValueOrder.Compare(a, b);
        if (order is not { } c) return false;
        return Comparator switch
        {
            Comparator.Less => c < 0,
            Comparator.LessOrEqual => c <= 0,
            Comparator.Greater => c > 0,
            _ => c >= 0,
        };
    }
}

internal sealed class BetweenNode(Operand value, Operand low, Operand high) : ConditionNode
{
    public Operand Value { get; } = value;
    public Operand Low { get; } = low;
    public Operand High { get; } = high;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var v = Value.Evaluate(item);
        var lo = Low.Evaluate(item);
        var hi = High.Evaluate(item);
        if (v is null || lo is null || hi is null) return false;
        return ValueOrder.Compare(v, lo) is >= 0 && ValueOrder.Compare(v, hi) is <= 0;
    }
}

internal sealed class InNode(Operand value, List<Operand> candidates) : ConditionNode
{
    public Operand Value { get; } = value;
    public List<Operand> Candidates { get; } = candidates;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var v = Value.Evaluate(item);
        if (v is null) return false;
        foreach (var candidate in Candidates)
        {
            var c = candidate.Evaluate(item);
            if (c is not null && v.ValueEquals(c)) return true;
        }
        return false;
    }
}

/// <summary>attribute_exists, attribute_not_exists, attribute_type, begins_with and contains.</summary>
internal sealed class FunctionNode(string function, List<Operand> arguments) : ConditionNode
{
    public string Function { get; } = function;
    public List<Operand> Arguments { get; } = arguments;

    public override bool Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var first = Arguments[0].Evaluate(item);
        switch (Function)
        {
            case "attribute_exists": return first is not null;
            case "attribute_not_exists": return first is null;
            case "attribute_type":
            {
                var type = Arguments[1].Evaluate(item);
                return first is not null && type is { Type: AttributeType.S } && first.Type.ToString() == type.S;
            }
            case "begins_with":
            {
                var prefix = Arguments[1].Evaluate(item);
                if (first is null || prefix is null || first.Type != prefix.Type) return false;
                if (first.Type == AttributeType.S) return first.S.StartsWith(prefix.S, StringComparison.Ordinal);
                if (first.Type == AttributeType.B) return first.B.AsSpan().StartsWith(prefix.B);
                return false;
            }
            case "contains":
            {
                var operand = Arguments[1].Evaluate(item);
                if (first is null || operand is null) return false;
                return first.Type switch
                {
                    AttributeType.S => operand.Type == AttributeType.S && first.S.Contains(operand.S, StringComparison.Ordinal),
                    AttributeType.B => operand.Type == AttributeType.B && first.B.AsSpan().IndexOf(operand.B) >= 0,
                    AttributeType.SS => operand.Type == AttributeType.S && first.SS.Contains(operand.S),
                    AttributeType.NS => operand.Type == AttributeType.N && first.NS.Contains(operand.N),
                    AttributeType.BS => operand.Type == AttributeType.B && AttributeValue.ContainsBinary(first.BS, operand.B),
                    AttributeType.L => first.L.Exists(operand.ValueEquals),
                    _ => false,
                };
            }
            default: return false;
        }
    }
}

/// <summary>DynamoDB's ordering for comparisons: numbers by value, strings by UTF-8 bytes, binary unsigned.</summary>
internal static class ValueOrder
{
    /// <summary>The order of two values, or null when they are not comparable (different or non-scalar types).</summary>
    public static int? Compare(AttributeValue a, AttributeValue b)
    {
        if (a.Type != b.Type) return null;
        return a.Type switch
        {
            AttributeType.N => a.N.CompareTo(b.N),
            AttributeType.S => CompareUtf8(a.S, b.S),
            AttributeType.B => a.B.AsSpan().SequenceCompareTo(b.B),
            _ => null,
        };
    }

    // UTF-16 ordinal order differs from UTF-8 byte order for supplementary characters versus U+E000-U+FFFF.
    public static int CompareUtf8(string a, string b)
    {
        int length = Math.Min(a.Length, b.Length);
        for (int i = 0; i < length; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            bool xs = char.IsSurrogate(x), ys = char.IsSurrogate(y);
            if (xs == ys) return x.CompareTo(y);
            // A surrogate (a code point above U+FFFF) encodes to 4 UTF-8 bytes starting 0xF0: above any BMP char.
            return xs ? 1 : -1;
        }
        return a.Length.CompareTo(b.Length);
    }
}
