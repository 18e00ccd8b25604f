using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// The UpdateExpression grammar: sections SET, REMOVE, ADD and DELETE, each at most once, in any order.
/// <code>
/// SET path = value [+|- value], ...   value: :v | path | if_not_exists(path, value) | list_append(value, value)
/// REMOVE path, ...      ADD path :v, ...      DELETE path :v, ...
/// </code>
/// </summary>
internal sealed partial class ExpressionParser
{
    /// <summary>Parses an UpdateExpression into its actions, in expression order.</summary>
    public static UpdateExpression ParseUpdate(string source, ExpressionAttributes attributes)
    {
        const string Name = "UpdateExpression";
        ExpressionErrors.CheckNotEmpty(source, Name);
        ExpressionErrors.CheckSize(source, Name);
        var parser = new ExpressionParser(source, Name, attributes, ExpressionErrors.UpdateOrder);
        var actions = new List<UpdateAction>();
        var sections = new HashSet<UpdateActionKind>();
        do
        {
            var kind = parser.SectionKeyword() ?? throw parser.Syntax();
            parser._position++;
            do
            {
                actions.Add(parser.ParseUpdateAction(kind));
                if (parser.Peek.Kind != TokenKind.Comma) break;
                parser._position++;
            } while (true);
            if (!sections.Add(kind))
                parser._errors.Add(ExpressionErrors.Section, "The \"" + kind.ToString().ToUpperInvariant() + "\" section can only be used once in an update expression;");
        } while (parser.Peek.Kind != TokenKind.End);
        parser.CheckUpdatePaths(actions);
        parser._errors.ThrowIfAny();
        return new UpdateExpression(actions);
    }

    private UpdateActionKind? SectionKeyword()
    {
        if (Peek.Kind != TokenKind.Name) return null;
        var text = Peek.Text(_source);
        if (text.Equals("SET", StringComparison.OrdinalIgnoreCase)) return UpdateActionKind.Set;
        if (text.Equals("REMOVE", StringComparison.OrdinalIgnoreCase)) return UpdateActionKind.Remove;
        if (text.Equals("ADD", StringComparison.OrdinalIgnoreCase)) return UpdateActionKind.Add;
        if (text.Equals("DELETE", StringComparison.OrdinalIgnoreCase)) return UpdateActionKind.Delete;
        return null;
    }

    private UpdateAction ParseUpdateAction(UpdateActionKind kind)
    {
        // A section keyword is never an attribute name: "SET REMOVE = :v" is a syntax error at REMOVE.
        if (SectionKeyword() is not null) throw Syntax();
        var path = ParsePath();
        switch (kind)
        {
            case UpdateActionKind.Set:
                Expect(TokenKind.Equal);
                return new UpdateAction(kind, path, ParseSetValue());
            case UpdateActionKind.Remove:
                return new UpdateAction(kind, path, null);
            default:
                if (Peek.Kind != TokenKind.ValuePlaceholder) throw Syntax();
                var value = _attributes.ResolveValue(Peek.Text(_source), _errors);
                _position++;
                string? typeName = value.Type switch
                {
                    AttributeType.S => "STRING", AttributeType.N => "NUMBER", AttributeType.B => "BINARY", AttributeType.NULL => "NULL",
                    AttributeType.BOOL => "BOOLEAN", AttributeType.L => "LIST", AttributeType.M => "MAP", _ => null,
                };
                if (typeName is not null && !(kind == UpdateActionKind.Add && value.Type == AttributeType.N))
                    _errors.Add(ExpressionErrors.Operand, "Incorrect operand type for operator or function; operator: "
                        + kind.ToString().ToUpperInvariant() + ", operand type: " + typeName);
                return new UpdateAction(kind, path, new LiteralValue(value));
        }
    }

    private UpdateValue ParseSetValue()
    {
        // "SET a = (b + :c)": one optional pair of parentheses around the whole value.
        if (Peek.Kind == TokenKind.LeftParen && ParenthesisedSum())
        {
            _position++;
            var inner = ParseSum();
            Expect(TokenKind.RightParen);
            return inner;
        }
        return ParseSum();
    }

    // True when the '(' at the cursor encloses an arithmetic value rather than a single operand.
    private bool ParenthesisedSum()
    {
        int depth = 0;
        for (int i = _position; i < _tokens.Count; i++)
        {
            var kind = _tokens[i].Kind;
            if (kind == TokenKind.LeftParen) depth++;
            else if (kind == TokenKind.RightParen) { if (--depth == 0) return false; }
            else if (depth == 1 && kind is TokenKind.Plus or TokenKind.Minus) return true;
            else if (kind == TokenKind.End) return false;
        }
        return false;
    }

    private UpdateValue ParseSum()
    {
        var left = ParseUpdateOperand();
        if (Peek.Kind is not (TokenKind.Plus or TokenKind.Minus)) return left;
        bool plus = Peek.Kind == TokenKind.Plus;
        _position++;
        CountOperator();
        var right = ParseUpdateOperand();
        string name = plus ? "+" : "-";
        foreach (var operand in new[] { left, right })
            if (operand is LiteralValue { Value.Type: not AttributeType.N } literal)
            {
                _errors.Add(ExpressionErrors.Function, "Incorrect operand type for operator or function; operator or function: " + name + ", operand type: " + literal.Value.Type);
                break;
            }
        return new ArithmeticValue(plus, left, right);
    }

    private UpdateValue ParseUpdateOperand()
    {
        Enter();
        var operand = ParseUpdateOperandInner();
        _depth--;
        return operand;
    }

    private UpdateValue ParseUpdateOperandInner()
    {
        if (Peek.Kind == TokenKind.LeftParen)
        {
            _position++;
            var inner = ParseUpdateOperand();
            Expect(TokenKind.RightParen);
            return inner;
        }
        if (Peek.Kind == TokenKind.ValuePlaceholder)
        {
            var value = _attributes.ResolveValue(Peek.Text(_source), _errors);
            _position++;
            return new LiteralValue(value);
        }
        if (Peek.Kind == TokenKind.Name && PeekAt(1) == TokenKind.LeftParen && SectionKeyword() is null)
        {
            var function = Peek.Text(_source);
            _position += 2;
            CountOperator();
            var arguments = new List<UpdateValue> { ParseUpdateOperand() };
            while (Peek.Kind == TokenKind.Comma)
            {
                _position++;
                arguments.Add(ParseUpdateOperand());
            }
            Expect(TokenKind.RightParen);
            return UpdateFunction(function, arguments);
        }
        if (SectionKeyword() is not null) throw Syntax();
        return new PathValue(ParsePath());
    }

    private UpdateValue UpdateFunction(string function, List<UpdateValue> arguments)
    {
        if (function is not ("if_not_exists" or "list_append"))
        {
            _errors.Add(ExpressionErrors.UnknownFunction, "Invalid function name; function: " + function);
            return arguments[0];
        }
        if (arguments.Count != 2)
        {
            _errors.Add(ExpressionErrors.Function, "Incorrect number of operands for operator or function; operator or function: "
                + function + ", number of operands: " + arguments.Count);
            return arguments[0];
        }
        if (function == "if_not_exists")
        {
            if (arguments[0] is not PathValue path)
            {
                _errors.Add(ExpressionErrors.Function, "Operator or function requires a document path; operator or function: if_not_exists");
                return arguments[1];
            }
            return new IfNotExistsValue(path.Path, arguments[1]);
        }
        foreach (var argument in arguments)
            if (argument is LiteralValue { Value.Type: not AttributeType.L } literal)
            {
                _errors.Add(ExpressionErrors.Function, "Incorrect operand type for operator or function; operator or function: list_append, operand type: " + literal.Value.Type);
                break;
            }
        return new ListAppendValue(arguments[0], arguments[1]);
    }

    // AWS rejects two actions on the same path or on a path and its prefix ("overlap"), and a path that uses a
    // step as a map key in one action and as a list index in another ("conflict").
    private void CheckUpdatePaths(List<UpdateAction> actions)
    {
        for (int j = 1; j < actions.Count; j++)
        {
            for (int i = 0; i < j; i++)
            {
                var relation = AttributePath.Relate(actions[i].Path, actions[j].Path);
                if (relation == PathRelation.Distinct) continue;
                _errors.Add(relation == PathRelation.Conflict ? ExpressionErrors.PathConflict : ExpressionErrors.PathOverlap,
                    AttributePath.RelationMessage(relation, actions[i].Path, actions[j].Path));
            }
        }
    }
}
