using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Recursive-descent parser for DynamoDB expressions. Precedence, lowest first: OR, AND, NOT, then comparisons,
/// BETWEEN, IN and functions; parentheses group. One parser instance reads one expression; the placeholders it
/// meets are resolved (and marked used) through <see cref="ExpressionAttributes"/>.
/// </summary>
internal sealed class ExpressionParser
{
    private readonly string _source;
    private readonly string _expressionName;
    private readonly List<Token> _tokens;

    internal Token PeekAt(int offset) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    internal string TextOf(Token token) => token.Text(_source);

    internal string ExpressionName => _expressionName;

    internal void Skip(int count) => _position += count;

    internal AttributeValue ResolveValue(Token token) => _attributes.ResolveValue(token.Text(_source), _expressionName);
    private readonly ExpressionAttributes _attributes;
    private int _position;

    internal ExpressionParser(string source, string expressionName, ExpressionAttributes attributes)
    {
        _source = source;
        _expressionName = expressionName;
        _attributes = attributes;
        _tokens = ExpressionTokenizer.Tokenize(source, expressionName);
    }

    /// <summary>Parses a ConditionExpression (or any expression of the same grammar, named for messages).</summary>
    public static ConditionNode ParseCondition(string source, ExpressionAttributes attributes, string expressionName = "ConditionExpression")
    {
        CheckNotEmpty(source, expressionName);
        var parser = new ExpressionParser(source, expressionName, attributes);
        var node = parser.ParseOr();
        parser.Expect(TokenKind.End);
        return node;
    }

    /// <summary>Parses a ProjectionExpression: document paths separated by commas.</summary>
    public static List<AttributePath> ParseProjection(string source, ExpressionAttributes attributes)
    {
        const string Name = "ProjectionExpression";
        CheckNotEmpty(source, Name);
        var parser = new ExpressionParser(source, Name, attributes);
        var paths = new List<AttributePath>();
        while (true)
        {
            paths.Add(parser.ParsePath());
            if (parser.Peek.Kind == TokenKind.End) break;
            parser.Expect(TokenKind.Comma);
        }
        return paths;
    }

    internal static void CheckNotEmpty(string source, string expressionName)
    {
        if (string.IsNullOrWhiteSpace(source))
            throw DynamoException.Validation("Invalid " + expressionName + ": The expression can not be empty;");
    }

    internal Token Peek => _tokens[_position];

    internal Token Next() => _tokens[_position++];

    internal void Expect(TokenKind kind)
    {
        if (Peek.Kind != kind) throw Syntax();
        _position++;
    }

    internal DynamoException Syntax() => ExpressionTokenizer.SyntaxError(_expressionName, _source, _tokens.GetRange(0, _position), Peek);

    internal bool IsKeyword(string keyword) =>
        Peek.Kind == TokenKind.Name && string.Equals(Peek.Text(_source), keyword, StringComparison.OrdinalIgnoreCase);

    private ConditionNode ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword("OR"))
        {
            _position++;
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private ConditionNode ParseAnd()
    {
        var left = ParseNot();
        while (IsKeyword("AND"))
        {
            _position++;
            left = new AndNode(left, ParseNot());
        }
        return left;
    }

    private ConditionNode ParseNot()
    {
        if (IsKeyword("NOT"))
        {
            _position++;
            return new NotNode(ParseNot());
        }
        return ParsePrimary();
    }

    private ConditionNode ParsePrimary()
    {
        if (Peek.Kind == TokenKind.LeftParen)
        {
            _position++;
            var inner = ParseOr();
            Expect(TokenKind.RightParen);
            return inner;
        }
        if (Peek.Kind == TokenKind.Name && _tokens[_position + 1].Kind == TokenKind.LeftParen)
        {
            var function = Peek.Text(_source);
            if (function != "size") return ParseFunction(function);
        }
        var left = ParseOperand();
        if (IsKeyword("BETWEEN"))
        {
            _position++;
            var low = ParseOperand();
            if (!IsKeyword("AND")) throw Syntax();
            _position++;
            return new BetweenNode(left, low, ParseOperand());
        }
        if (IsKeyword("IN"))
        {
            _position++;
            Expect(TokenKind.LeftParen);
            var candidates = new List<Operand> { ParseOperand() };
            while (Peek.Kind == TokenKind.Comma)
            {
                _position++;
                candidates.Add(ParseOperand());
            }
            Expect(TokenKind.RightParen);
            return new InNode(left, candidates);
        }
        Comparator comparator = Peek.Kind switch
        {
            TokenKind.Equal => Comparator.Equal,
            TokenKind.NotEqual => Comparator.NotEqual,
            TokenKind.Less => Comparator.Less,
            TokenKind.LessOrEqual => Comparator.LessOrEqual,
            TokenKind.Greater => Comparator.Greater,
            TokenKind.GreaterOrEqual => Comparator.GreaterOrEqual,
            _ => throw Syntax(),
        };
        _position++;
        return new ComparisonNode(comparator, left, ParseOperand());
    }

    private ConditionNode ParseFunction(string function)
    {
        int expected = function switch
        {
            "attribute_exists" or "attribute_not_exists" => 1,
            "attribute_type" or "begins_with" or "contains" => 2,
            _ => throw DynamoException.Validation("Invalid " + _expressionName + ": Invalid function name; function: " + function),
        };
        _position += 2; // name and '('
        var arguments = new List<Operand> { ParseOperand() };
        while (Peek.Kind == TokenKind.Comma)
        {
            _position++;
            arguments.Add(ParseOperand());
        }
        Expect(TokenKind.RightParen);
        if (arguments.Count != expected)
            throw DynamoException.Validation("Invalid " + _expressionName + ": Incorrect number of operands for operator or function; operator or function: "
                + function + ", number of operands: " + arguments.Count);
        if (arguments[0] is not PathOperand)
            throw DynamoException.Validation("Invalid " + _expressionName + ": Operator or function requires a document path; operator or function: " + function);
        return new FunctionNode(function, arguments);
    }

    private Operand ParseOperand()
    {
        var token = Peek;
        if (token.Kind == TokenKind.ValuePlaceholder)
        {
            _position++;
            return new ValueOperand(_attributes.ResolveValue(token.Text(_source), _expressionName));
        }
        if (token.Kind == TokenKind.Name && token.Text(_source) == "size" && _tokens[_position + 1].Kind == TokenKind.LeftParen)
        {
            _position += 2;
            var operand = ParseOperand();
            Expect(TokenKind.RightParen);
            if (operand is not PathOperand path)
                throw DynamoException.Validation("Invalid " + _expressionName + ": Operator or function requires a document path; operator or function: size");
            return new SizeOperand(path);
        }
        return new PathOperand(ParsePath());
    }

    internal AttributePath ParsePath()
    {
        var elements = new List<PathElement> { new(ParseName(), 0) };
        while (true)
        {
            if (Peek.Kind == TokenKind.Dot)
            {
                _position++;
                elements.Add(new PathElement(ParseName(), 0));
            }
            else if (Peek.Kind == TokenKind.LeftBracket)
            {
                _position++;
                var index = Peek;
                if (index.Kind != TokenKind.Integer) throw Syntax();
                _position++;
                if (!int.TryParse(index.Text(_source), out int value))
                    throw DynamoException.Validation("Invalid " + _expressionName + ": List index is out of bounds; index: " + index.Text(_source));
                Expect(TokenKind.RightBracket);
                elements.Add(new PathElement(null, value));
            }
            else return new AttributePath(elements);
        }
    }

    private string ParseName()
    {
        var token = Peek;
        if (token.Kind == TokenKind.Name)
        {
            _position++;
            return token.Text(_source);
        }
        if (token.Kind == TokenKind.NamePlaceholder)
        {
            _position++;
            return _attributes.ResolveName(token.Text(_source), _expressionName);
        }
        throw Syntax();
    }
}
