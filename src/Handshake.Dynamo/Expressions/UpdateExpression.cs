using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

internal enum UpdateActionKind : byte
{
    Set, Remove, Add, Delete,
}

/// <summary>One action of an UpdateExpression: SET path = value, REMOVE path, ADD path :v or DELETE path :v.</summary>
internal sealed record UpdateAction(UpdateActionKind Kind, AttributePath Path, UpdateValue? Value);

/// <summary>The right-hand side of a SET (or the operand of ADD/DELETE), evaluated against the item before the update.</summary>
internal abstract class UpdateValue
{
    public const string WrongType = "An operand in the update expression has an incorrect data type";

    public abstract AttributeValue Evaluate(Dictionary<string, AttributeValue>? item);
}

internal sealed class LiteralUpdateValue(AttributeValue value) : UpdateValue
{
    public AttributeValue Value { get; } = value;
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue>? item) => Value;
}

internal sealed class PathUpdateValue(AttributePath path) : UpdateValue
{
    public AttributePath Path { get; } = path;

    public override AttributeValue Evaluate(Dictionary<string, AttributeValue>? item) =>
        Path.Resolve(item) ?? throw DynamoException.Validation("The provided expression refers to an attribute that does not exist in the item");
}

internal sealed class IfNotExistsUpdateValue(AttributePath path, UpdateValue fallback) : UpdateValue
{
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue>? item) => path.Resolve(item) ?? fallback.Evaluate(item);
}

internal sealed class ListAppendUpdateValue(UpdateValue first, UpdateValue second) : UpdateValue
{
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var a = first.Evaluate(item);
        var b = second.Evaluate(item);
        if (a.Type != AttributeType.L || b.Type != AttributeType.L) throw DynamoException.Validation(WrongType);
        var list = new List<AttributeValue>(a.L.Count + b.L.Count);
        list.AddRange(a.L);
        list.AddRange(b.L);
        return AttributeValue.FromList(list);
    }
}

internal sealed class ArithmeticUpdateValue(UpdateValue left, bool subtract, UpdateValue right) : UpdateValue
{
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue>? item)
    {
        var a = left.Evaluate(item);
        var b = right.Evaluate(item);
        if (a.Type != AttributeType.N || b.Type != AttributeType.N) throw DynamoException.Validation(WrongType);
        return AttributeValue.FromNumber(subtract ? a.N.Subtract(b.N) : a.N.Add(b.N));
    }
}

/// <summary>Parses an UpdateExpression into its actions, with DynamoDB's clause and operand rules.</summary>
internal static class UpdateExpressionParser
{
    private const string Name = "UpdateExpression";

    public static List<UpdateAction> Parse(string source, ExpressionAttributes attributes)
    {
        ExpressionParser.CheckNotEmpty(source, Name);
        var p = new ExpressionParser(source, Name, attributes);
        var actions = new List<UpdateAction>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (p.Peek.Kind != TokenKind.End)
        {
            if (p.Peek.Kind != TokenKind.Name) throw p.Syntax();
            var clause = p.TextOf(p.Peek).ToUpperInvariant();
            UpdateActionKind kind = clause switch
            {
                "SET" => UpdateActionKind.Set,
                "REMOVE" => UpdateActionKind.Remove,
                "ADD" => UpdateActionKind.Add,
                "DELETE" => UpdateActionKind.Delete,
                _ => throw p.Syntax(),
            };
            if (!seen.Add(clause))
                throw DynamoException.Validation("Invalid UpdateExpression: The \"" + clause + "\" section can only be used once in an update expression;");
            p.Skip(1);
            while (true)
            {
                actions.Add(ParseAction(p, kind));
                if (p.Peek.Kind != TokenKind.Comma) break;
                p.Skip(1);
            }
        }
        CheckOverlaps(actions);
        return actions;
    }

    private static UpdateAction ParseAction(ExpressionParser p, UpdateActionKind kind)
    {
        var path = p.ParsePath();
        switch (kind)
        {
            case UpdateActionKind.Set:
                p.Expect(TokenKind.Equal);
                return new UpdateAction(kind, path, ParseSetValue(p));
            case UpdateActionKind.Remove:
                return new UpdateAction(kind, path, null);
            default:
            {
                var token = p.Peek;
                if (token.Kind != TokenKind.ValuePlaceholder) throw p.Syntax();
                p.Skip(1);
                var value = p.ResolveValue(token);
                bool allowed = kind == UpdateActionKind.Add
                    ? value.Type is AttributeType.N or AttributeType.SS or AttributeType.NS or AttributeType.BS
                    : value.Type is AttributeType.SS or AttributeType.NS or AttributeType.BS;
                if (!allowed)
                    throw DynamoException.Validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
                        + (kind == UpdateActionKind.Add ? "ADD" : "DELETE") + ", operand type: " + TypeName(value.Type));
                return new UpdateAction(kind, path, new LiteralUpdateValue(value));
            }
        }
    }

    private static UpdateValue ParseSetValue(ExpressionParser p)
    {
        var left = ParseSetOperand(p);
        if (p.Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            bool subtract = p.Next().Kind == TokenKind.Minus;
            return new ArithmeticUpdateValue(left, subtract, ParseSetOperand(p));
        }
        return left;
    }

    private static UpdateValue ParseSetOperand(ExpressionParser p)
    {
        var token = p.Peek;
        if (token.Kind == TokenKind.ValuePlaceholder)
        {
            p.Skip(1);
            return new LiteralUpdateValue(p.ResolveValue(token));
        }
        if (token.Kind == TokenKind.Name && p.PeekAt(1).Kind == TokenKind.LeftParen)
        {
            var function = p.TextOf(token);
            p.Skip(2);
            UpdateValue result;
            if (function == "if_not_exists")
            {
                var path = p.ParsePath();
                p.Expect(TokenKind.Comma);
                result = new IfNotExistsUpdateValue(path, ParseSetValue(p));
            }
            else if (function == "list_append")
            {
                var first = ParseSetValue(p);
                p.Expect(TokenKind.Comma);
                result = new ListAppendUpdateValue(first, ParseSetValue(p));
            }
            else throw DynamoException.Validation("Invalid UpdateExpression: Invalid function name; function: " + function);
            p.Expect(TokenKind.RightParen);
            return result;
        }
        return new PathUpdateValue(p.ParsePath());
    }

    private static void CheckOverlaps(List<UpdateAction> actions)
    {
        for (int i = 0; i < actions.Count; i++)
        {
            for (int j = i + 1; j < actions.Count; j++)
            {
                var a = actions[i].Path.Elements;
                var b = actions[j].Path.Elements;
                int common = Math.Min(a.Count, b.Count);
                bool prefix = true;
                for (int k = 0; k < common && prefix; k++) prefix = a[k] == b[k];
                if (prefix)
                    throw DynamoException.Validation("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                        + actions[i].Path + ", path two: " + actions[j].Path);
            }
        }
    }

    private static string TypeName(AttributeType type) => type switch
    {
        AttributeType.S => "STRING",
        AttributeType.N => "NUMBER",
        AttributeType.B => "BINARY",
        AttributeType.BOOL => "BOOLEAN",
        AttributeType.NULL => "NULL",
        AttributeType.M => "MAP",
        AttributeType.L => "LIST",
        _ => type.ToString(),
    };
}
