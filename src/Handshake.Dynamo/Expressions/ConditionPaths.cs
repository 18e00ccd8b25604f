namespace Handshake.Dynamo.Expressions;

/// <summary>The attributes a condition refers to, for checks such as "a filter may not name a key attribute".</summary>
internal static class ConditionPaths
{
    public static void CollectTopLevelNames(ConditionNode node, HashSet<string> names)
    {
        switch (node)
        {
            case AndNode n: CollectTopLevelNames(n.Left, names); CollectTopLevelNames(n.Right, names); break;
            case OrNode n: CollectTopLevelNames(n.Left, names); CollectTopLevelNames(n.Right, names); break;
            case NotNode n: CollectTopLevelNames(n.Operand, names); break;
            case ComparisonNode n: Add(n.Left, names); Add(n.Right, names); break;
            case BetweenNode n: Add(n.Value, names); Add(n.Low, names); Add(n.High, names); break;
            case InNode n: Add(n.Value, names); foreach (var c in n.Candidates) Add(c, names); break;
            case FunctionNode n: foreach (var a in n.Arguments) Add(a, names); break;
        }
    }

    private static void Add(Operand operand, HashSet<string> names)
    {
        if (operand is PathOperand p) names.Add(p.Path.TopLevelName);
        else if (operand is SizeOperand s) names.Add(s.Path.Path.TopLevelName);
    }
}
