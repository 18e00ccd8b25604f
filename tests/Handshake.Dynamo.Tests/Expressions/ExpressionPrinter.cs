using System.Text;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// Prints a parsed condition back to expression text, fully parenthesised, with placeholders recovered from a
/// reverse map: the other half of the parser's round-trip property.
/// </summary>
internal sealed class ExpressionPrinter(Dictionary<string, string> nameToPlaceholder, Func<AttributeValue, string> valuePlaceholder)
{
    public string Print(ConditionNode node) => node switch
    {
        AndNode n => "(" + Print(n.Left) + " AND " + Print(n.Right) + ")",
        OrNode n => "(" + Print(n.Left) + " OR " + Print(n.Right) + ")",
        NotNode n => "(NOT " + Print(n.Operand) + ")",
        ComparisonNode n => Print(n.Left) + " " + ExpressionParser.ComparatorText(n.Comparator) + " " + Print(n.Right),
        BetweenNode n => Print(n.Value) + " BETWEEN " + Print(n.Low) + " AND " + Print(n.High),
        InNode n => Print(n.Value) + " IN (" + string.Join(", ", n.Candidates.Select(Print)) + ")",
        FunctionNode n => n.Function + "(" + string.Join(", ", n.Arguments.Select(Print)) + ")",
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    public string Print(Operand operand) => operand switch
    {
        PathOperand p => Print(p.Path),
        SizeOperand s => "size(" + Print(s.Path.Path) + ")",
        ValueOperand v => valuePlaceholder(v.Value),
        _ => throw new InvalidOperationException(operand.GetType().Name),
    };

    public string Print(AttributePath path)
    {
        var sb = new StringBuilder();
        foreach (var element in path.Elements)
        {
            if (element.IsIndex) sb.Append('[').Append(element.Index).Append(']');
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(nameToPlaceholder.TryGetValue(element.Name!, out var placeholder) ? placeholder : element.Name);
            }
        }
        return sb.ToString();
    }
}
