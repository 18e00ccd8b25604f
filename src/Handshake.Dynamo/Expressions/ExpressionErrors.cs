using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// The semantic errors found while parsing one expression. AWS parses the whole expression first (a syntax error
/// always wins) and then reports one error by a fixed precedence of error classes, not by position; so the parser
/// records the first error of each class and <see cref="ThrowIfAny"/> raises the one AWS would.
/// </summary>
internal sealed class ExpressionErrors(string expressionName, string[] precedence)
{
    // Condition-grammar precedence (ConditionExpression, FilterExpression, KeyConditionExpression, projections).
    public static readonly string[] ConditionOrder =
        [Parens, UnknownFunction, Nesting, Operators, MisusedFunction, Reserved, Undefined, OperandCount, Distinct, Function];

    // UpdateExpression precedence.
    public static readonly string[] UpdateOrder =
        [Reserved, UnknownFunction, Nesting, Operators, Section, Undefined, PathOverlap, PathConflict, Operand, Function];

    public const string Parens = "parens", UnknownFunction = "unknownFunction", MisusedFunction = "misusedFunction",
        Reserved = "reserved", Undefined = "undefined", OperandCount = "operandCount", Distinct = "distinct",
        Function = "function", Nesting = "nesting", Operators = "operators", Section = "section", PathOverlap = "pathOverlap", PathConflict = "pathConflict", Operand = "operand";

    private Dictionary<string, string>? _first;

    public string ExpressionName => expressionName;

    public void Add(string kind, string message)
    {
        _first ??= new Dictionary<string, string>(StringComparer.Ordinal);
        _first.TryAdd(kind, message);
    }

    public void ThrowIfAny()
    {
        if (_first is null) return;
        foreach (var kind in precedence)
            if (_first.TryGetValue(kind, out var message))
                throw DynamoException.Validation("Invalid " + expressionName + ": " + message);
    }

    /// <summary>AWS caps each expression at 4 KB of UTF-8; only condition and filter messages carry the size.</summary>
    public static void CheckSize(string source, string expressionName)
    {
        const int MaxBytes = 4096;
        int bytes = System.Text.Encoding.UTF8.GetByteCount(source);
        if (bytes <= MaxBytes) return;
        string message = "Invalid " + expressionName + ": Expression size has exceeded the maximum allowed size;";
        if (expressionName is "ConditionExpression" or "FilterExpression") message += " expression size: " + bytes;
        throw DynamoException.Validation(message);
    }

    public static void CheckNotEmpty(string source, string expressionName)
    {
        if (string.IsNullOrWhiteSpace(source))
            throw DynamoException.Validation("Invalid " + expressionName + ": The expression can not be empty;");
    }
}
