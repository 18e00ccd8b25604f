using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// Reads key values out of a WHERE clause. Only the clause's top-level AND terms count, each an equality between a
/// top-level attribute name and a value, as DynamoDB decides whether a statement names one item (a write, a GetItem),
/// one partition (a Query) or neither (a Scan).
/// </summary>
internal static class StatementKeys
{
    /// <summary>The top-level AND terms of a condition (the condition itself when it is not an AND).</summary>
    public static List<ConditionNode> Conjuncts(ConditionNode? node)
    {
        var terms = new List<ConditionNode>();
        void Walk(ConditionNode n)
        {
            if (n is AndNode and)
            {
                Walk(and.Left);
                Walk(and.Right);
            }
            else terms.Add(n);
        }
        if (node is not null) Walk(node);
        return terms;
    }

    /// <summary>The value <paramref name="term"/> sets <paramref name="name"/> equal to, or null.</summary>
    public static AttributeValue? EqualityOn(ConditionNode term, string name)
    {
        if (term is not ComparisonNode { Comparator: Comparator.Equal } c) return null;
        if (IsName(c.Left, name) && c.Right is ValueOperand v) return v.Value;
        if (IsName(c.Right, name) && c.Left is ValueOperand w) return w.Value;
        return null;
    }

    public static bool IsName(Operand operand, string name) => operand is PathOperand { Path.Elements.Count: 1 } p && p.Path.TopLevelName == name;

    /// <summary>The value of the key attribute's equality among the terms; null when there is none.</summary>
    public static AttributeValue? Find(List<ConditionNode> terms, KeyAttribute attribute, out int at)
    {
        for (at = 0; at < terms.Count; at++)
            if (EqualityOn(terms[at], attribute.Name) is { } value) return value;
        at = -1;
        return null;
    }

    /// <summary>
    /// The full primary key of a write (or a transaction's read or EXISTS) and the rest of the WHERE clause as a
    /// condition; throws <paramref name="incomplete"/> when an equality on a key attribute is missing.
    /// </summary>
    public static Dictionary<string, AttributeValue> FullKey(TableDefinition table, ConditionNode? where, string incomplete, out ConditionNode? rest)
    {
        var terms = Conjuncts(where);
        var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var used = new HashSet<int>();
        foreach (var attribute in table.Range is null ? [table.Hash] : new[] { table.Hash, table.Range })
        {
            if (Find(terms, attribute, out int at) is not { } value) throw DynamoException.Validation(incomplete);
            key[attribute.Name] = value;
            used.Add(at);
        }
        rest = null;
        for (int i = 0; i < terms.Count; i++)
            if (!used.Contains(i)) rest = rest is null ? terms[i] : new AndNode(rest, terms[i]);
        return key;
    }

    /// <summary>The condition "the item exists" (or not), on the table's partition key.</summary>
    public static ConditionNode Exists(TableDefinition table, bool exists) =>
        new FunctionNode(exists ? "attribute_exists" : "attribute_not_exists", [new PathOperand(new AttributePath([new PathElement(table.Hash.Name, 0)]))]);

    /// <summary>
    /// The sort-key part of a Query from the WHERE terms: a comparison other than &lt;&gt;, BETWEEN, or begins_with
    /// on the key space's sort key, with values of its type. The whole WHERE clause is still applied as a filter,
    /// so a term this does not recognise only makes the read wider, never wrong.
    /// </summary>
    public static KeyConditionPart? RangePart(List<ConditionNode> terms, KeyAttribute range)
    {
        foreach (var term in terms)
        {
            switch (term)
            {
                case ComparisonNode c when c.Comparator != Comparator.NotEqual:
                {
                    bool leftIsKey = IsName(c.Left, range.Name);
                    var other = leftIsKey ? c.Right : IsName(c.Right, range.Name) ? c.Left : null;
                    if (other is not ValueOperand v || v.Value.Type != range.Type) continue;
                    var comparator = leftIsKey ? c.Comparator : Flip(c.Comparator);
                    string op = comparator switch
                    {
                        Comparator.Equal => "EQ",
                        Comparator.Less => "LT",
                        Comparator.LessOrEqual => "LE",
                        Comparator.Greater => "GT",
                        _ => "GE",
                    };
                    return new KeyConditionPart(range.Name, op, [v.Value]);
                }
                case BetweenNode b when IsName(b.Value, range.Name) && b.Low is ValueOperand lo && b.High is ValueOperand hi
                    && lo.Value.Type == range.Type && hi.Value.Type == range.Type:
                    // An empty range (low above high) matches nothing: the filter says so, the seek need not.
                    if (ValueOrder.Compare(lo.Value, hi.Value) is > 0) continue;
                    return new KeyConditionPart(range.Name, "BETWEEN", [lo.Value, hi.Value]);
                case FunctionNode { Function: "begins_with" } f when IsName(f.Arguments[0], range.Name) && f.Arguments[1] is ValueOperand p
                    && p.Value.Type == range.Type && range.Type is AttributeType.S or AttributeType.B:
                    return new KeyConditionPart(range.Name, "BEGINS_WITH", [p.Value]);
            }
        }
        return null;
    }

    private static Comparator Flip(Comparator c) => c switch
    {
        Comparator.Less => Comparator.Greater,
        Comparator.LessOrEqual => Comparator.GreaterOrEqual,
        Comparator.Greater => Comparator.Less,
        Comparator.GreaterOrEqual => Comparator.LessOrEqual,
        _ => c,
    };

    /// <summary>A key value usable for a seek: the key's type and not empty.</summary>
    public static bool Usable(AttributeValue value, KeyAttribute attribute) =>
        value.Type == attribute.Type && !(value.Type == AttributeType.S && value.S.Length == 0) && !(value.Type == AttributeType.B && value.B.Length == 0);
}
