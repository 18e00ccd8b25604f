using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// The condition grammar's functions (attribute_exists, attribute_not_exists, attribute_type, begins_with,
/// contains, size) and the semantic checks AWS applies to operands, recorded for <see cref="ExpressionErrors"/>.
/// </summary>
internal sealed partial class ExpressionParser
{
    private static int ConditionFunctionArity(string function) => function switch
    {
        "attribute_exists" or "attribute_not_exists" => 1,
        "attribute_type" or "begins_with" or "contains" => 2,
        "size" => 1,
        _ => -1,
    };

    private ConditionNode ParseFunction(string function)
    {
        var arguments = ParseArguments();
        foreach (var argument in arguments) CheckMisused(argument);
        int expected = ConditionFunctionArity(function);
        if (expected < 0)
        {
            _errors.Add(ExpressionErrors.UnknownFunction, "Invalid function name; function: " + function);
            return TrueNode.Instance;
        }
        if (arguments.Count != expected)
        {
            _errors.Add(ExpressionErrors.OperandCount, "Incorrect number of operands for operator or function; operator or function: "
                + function + ", number of operands: " + arguments.Count);
            return TrueNode.Instance;
        }
        if (arguments.Count == 2) CheckDistinct(function, arguments[0], arguments[1]);
        switch (function)
        {
            case "attribute_exists":
            case "attribute_not_exists":
                if (arguments[0] is not PathOperand) RequiresPath(function);
                break;
            case "begins_with":
                foreach (var argument in arguments)
                    if (argument is ValueOperand { Value.Type: not (AttributeType.S or AttributeType.B) } v)
                    {
                        IncorrectOperandType(function, v.Value.Type.ToString());
                        break;
                    }
                break;
            case "attribute_type":
                if (arguments[1] is not ValueOperand { Value: var type } || type.Type != AttributeType.S)
                    IncorrectOperandType(function, arguments[1] is ValueOperand vo ? vo.Value.Type.ToString() : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
                else if (!Enum.TryParse<AttributeType>(type.S, ignoreCase: false, out _) || type.S.Length == 0 || char.IsDigit(type.S[0]))
                    _errors.Add(ExpressionErrors.Function, "Invalid attribute type name found; type: " + type.S + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
                break;
            case "size":
                _errors.Add(ExpressionErrors.MisusedFunction, "The function is not allowed to be used this way in an expression; function: size");
                break;
        }
        if (arguments[0] is not PathOperand && function is not ("attribute_exists" or "attribute_not_exists")) RequiresPath(function);
        return new FunctionNode(function, arguments);
    }

    private void RequiresPath(string function) =>
        _errors.Add(ExpressionErrors.Function, "Operator or function requires a document path; operator or function: " + function);

    private void IncorrectOperandType(string function, string type) =>
        _errors.Add(ExpressionErrors.Function, "Incorrect operand type for operator or function; operator or function: " + function + ", operand type: " + type);

    // A function other than size() cannot be an operand; ParseOperand marks those with a MisusedFunctionOperand.
    private void CheckMisused(params Operand[] operands)
    {
        foreach (var operand in operands)
            if (operand is MisusedFunctionOperand misused)
                _errors.Add(ExpressionErrors.MisusedFunction, "The function is not allowed to be used this way in an expression; function: " + misused.Function);
    }

    private void CheckDistinct(string operatorName, Operand first, Operand second)
    {
        if (first is PathOperand a && second is PathOperand b && a.Path.Elements.SequenceEqual(b.Path.Elements))
            _errors.Add(ExpressionErrors.Distinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: "
                + operatorName + ", first operand: " + a.Path);
    }

    private void CheckBounds(Operand low, Operand high)
    {
        if (low is not ValueOperand { Value: var lo } || high is not ValueOperand { Value: var hi }) return;
        string bounds = "lower bound operand: AttributeValue: {" + Describe(lo) + "}, upper bound operand: AttributeValue: {" + Describe(hi) + "}";
        if (lo.Type != hi.Type)
            _errors.Add(ExpressionErrors.Function, "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
        else if (ValueOrder.Compare(lo, hi) is > 0)
            _errors.Add(ExpressionErrors.Function, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds);
    }

    /// <summary>AWS's short form of a scalar in messages, e.g. <c>N:5</c> or <c>S:abc</c>.</summary>
    internal static string Describe(AttributeValue value) => value.Type switch
    {
        AttributeType.S => "S:" + value.S,
        AttributeType.N => "N:" + value.N,
        AttributeType.B => "B:" + Convert.ToBase64String(value.B),
        _ => value.Type.ToString(),
    };
}
