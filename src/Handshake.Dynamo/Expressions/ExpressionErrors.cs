using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// The semantic errors found while parsing one expression. AWS parses the whole expression first (a syntax error
/// always wins) and then reports one error by a fixed precedence of error classes, not by position; so the parser
/// records the first error of each class and <see cref="ThrowIfAny"/> raises the one AWS would.
/// </summary>
internal sealed class ExpressionErrors(string expressionName, string[] precedence, string[]? positional = null)
{
    // Condition-grammar precedence (ConditionExpression, FilterExpression, KeyConditionExpression, projections): the
    // errors found while reading the expression, by class; then the ones AWS finds while validating the tree it
    // read, which it reports by position: the first met walking the expression as written, operands before their
    // operator (captured from AWS by the public conformance suite: "begins_with(sk, :n) AND pk = :missing" reports the
    // operand type, "pk = :missing AND begins_with(sk, :n)" the undefined value).
    public static readonly string[] ConditionOrder = [Parens, UnknownFunction, MisusedFunction, Reserved];
    public static readonly string[] ConditionPositional = [Nesting, Undefined, OperandCount, Distinct, Function, Operators];

    // UpdateExpression precedence.
    public static readonly string[] UpdateOrder =
        [Reserved, UnknownFunction, Nesting, Operators, Section, Undefined, PathOverlap, PathConflict, Operand, Function];

    public const string Parens = "parens", UnknownFunction = "unknownFunction", MisusedFunction = "misusedFunction",
        Reserved = "reserved", Undefined = "undefined", OperandCount = "operandCount", Distinct = "distinct",
        Function = "function", Nesting = "nesting", Operators = "operators", Section = "section", PathOverlap = "pathOverlap", PathConflict = "pathConflict", Operand = "operand";

    private Dictionary<string, string>? _first;
    private string? _firstPositional;

    public string ExpressionName => expressionName;

    public void Add(string kind, string message)
    {
        if (positional is not null && Array.IndexOf(positional, kind) >= 0)
        {
            _firstPositional ??= message;
            return;
        }
        _first ??= new Dictionary<string, string>(StringComparer.Ordinal);
        _first.TryAdd(kind, message);
    }

    public void ThrowIfAny()
    {
        if (_first is not null)
            foreach (var kind in precedence)
                if (_first.TryGetValue(kind, out var message))
                    throw DynamoException.Validation("Invalid " + expressionName + ": " + message);
        if (_firstPositional is not null) throw DynamoException.Validation("Invalid " + expressionName + ": " + _firstPositional);
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
