using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Recursive-descent parser for DynamoDB expressions. Precedence, lowest first: OR, AND, NOT, then comparisons,
/// BETWEEN, IN and functions; parentheses group. One parser instance reads one expression; the placeholders it
/// meets are resolved (and marked used) through <see cref="ExpressionAttributes"/>. Syntax errors throw at once;
/// semantic errors are collected and raised after the parse in AWS's precedence (<see cref="ExpressionErrors"/>).
/// The UpdateExpression grammar lives in the other part of this class.
/// </summary>
internal sealed partial class ExpressionParser
{
    private const int MaxInOperands = 100;

    // AWS's limits: at most 300 operators and functions per expression, and document paths of at most 32 levels.
    private const int MaxOperators = 300;
    private const int MaxPathLevels = 32;

    private readonly string _source;
    private readonly string _expressionName;
    private readonly List<Token> _tokens;
    private readonly ExpressionAttributes _attributes;
    private readonly ExpressionErrors _errors;
    // Parenthesised groups parsed so far, open token index to close token index: "((x))" is a redundant-parens error.
    private readonly Dictionary<int, int> _groups = [];
    private int _position;
    private int _depth;
    private int _operators;

    // A 4 KB expression of nested parentheses or NOTs would recurse thousands of frames deep; far beyond anything
    // meaningful, it is cut off as a syntax error at the token where it happens instead of risking the stack.
    private const int MaxDepth = 400;

    private void Enter()
    {
        if (++_depth <= MaxDepth) return;
        // So deep an expression has long passed AWS's operator limit (a NOT or a parenthesised comparison per level):
        // that is the error AWS gives for it.
        if (_operators > MaxOperators) throw DynamoException.Validation("Invalid " + _expressionName + ": The expression contains too many operators; operator count: " + (MaxOperators + 1));
        throw Syntax();
    }

    /// <summary>
    /// Counts one operator or function (a comparator, AND, OR, NOT, BETWEEN, IN, a function call, an update's + or -);
    /// parentheses, paths, placeholders and the <c>=</c> of a SET action do not count. AWS reports the count at which
    /// it stopped, so the message always says 301.
    /// </summary>
    // NOT and functions are counted where they start, the others after their operands: a nesting too deep to parse
    // has then always passed the limit already (see Enter).
    private void CountOperator()
    {
        if (++_operators > MaxOperators)
            _errors.Add(ExpressionErrors.Operators, "The expression contains too many operators; operator count: " + _operators);
    }

    private ExpressionParser(string source, string expressionName, ExpressionAttributes attributes, string[] errorOrder, string[]? positional = null)
    {
        _source = source;
        _expressionName = expressionName;
        _attributes = attributes;
        _errors = new ExpressionErrors(expressionName, errorOrder, positional);
        _tokens = ExpressionTokenizer.Tokenize(source, expressionName);
    }

    /// <summary>Parses a ConditionExpression (or any expression of the same grammar, named for messages).</summary>
    public static ConditionNode ParseCondition(string source, ExpressionAttributes attributes, string expressionName = "ConditionExpression")
    {
        ExpressionErrors.CheckNotEmpty(source, expressionName);
        ExpressionErrors.CheckSize(source, expressionName);
        var parser = new ExpressionParser(source, expressionName, attributes, ExpressionErrors.ConditionOrder, ExpressionErrors.ConditionPositional);
        var node = parser.ParseOr();
        parser.Expect(TokenKind.End);
        parser._errors.ThrowIfAny();
        return node;
    }

    /// <summary>Parses a ProjectionExpression: document paths separated by commas.</summary>
    public static List<AttributePath> ParseProjection(string source, ExpressionAttributes attributes)
    {
        const string Name = "ProjectionExpression";
        ExpressionErrors.CheckNotEmpty(source, Name);
        ExpressionErrors.CheckSize(source, Name);
        var parser = new ExpressionParser(source, Name, attributes, ExpressionErrors.ConditionOrder, ExpressionErrors.ConditionPositional);
        var paths = new List<AttributePath>();
        while (true)
        {
            paths.Add(parser.ParsePath());
            if (parser.Peek.Kind == TokenKind.End) break;
            parser.Expect(TokenKind.Comma);
        }
        parser._errors.ThrowIfAny();
        return paths;
    }

    private Token Peek => _tokens[_position];

    private TokenKind PeekAt(int offset) => _position + offset < _tokens.Count ? _tokens[_position + offset].Kind : TokenKind.End;

    private void Expect(TokenKind kind)
    {
        if (Peek.Kind != kind) throw Syntax();
        _position++;
    }

    private DynamoException Syntax() => ExpressionTokenizer.SyntaxError(_expressionName, _source, _tokens.GetRange(0, _position), Peek);

    private bool IsKeyword(string keyword) =>
        Peek.Kind == TokenKind.Name && string.Equals(Peek.Text(_source), keyword, StringComparison.OrdinalIgnoreCase);

    private bool IsKeywordAt(int index, string keyword) =>
        _tokens[index].Kind == TokenKind.Name && string.Equals(_tokens[index].Text(_source), keyword, StringComparison.OrdinalIgnoreCase);

    private ConditionNode ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword("OR"))
        {
            _position++;
            left = new OrNode(left, ParseAnd());
            CountOperator(); // after its operands, as AWS's validation walks the tree
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
            CountOperator();
        }
        return left;
    }

    private ConditionNode ParseNot()
    {
        if (IsKeyword("NOT"))
        {
            _position++;
            CountOperator();
            Enter();
            var operand = ParseNot();
            _depth--;
            return new NotNode(operand);
        }
        return ParsePrimary();
    }

    // A '(' opens a condition group unless what follows its matching ')' makes it an operand: "(a) = :v".
    private bool OpensOperandGroup()
    {
        int depth = 0;
        for (int i = _position; i < _tokens.Count; i++)
        {
            var kind = _tokens[i].Kind;
            if (kind == TokenKind.LeftParen) depth++;
            else if (kind == TokenKind.RightParen && --depth == 0)
            {
                if (i + 1 >= _tokens.Count) return false;
                return _tokens[i + 1].Kind is TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessOrEqual
                    or TokenKind.Greater or TokenKind.GreaterOrEqual || IsKeywordAt(i + 1, "BETWEEN") || IsKeywordAt(i + 1, "IN");
            }
            else if (kind == TokenKind.End) return false;
        }
        return false;
    }

    private void CloseGroup(int open)
    {
        int close = _position;
        Expect(TokenKind.RightParen);
        if (_tokens[open + 1].Kind == TokenKind.LeftParen && _groups.TryGetValue(open + 1, out int inner) && inner == close - 1)
            _errors.Add(ExpressionErrors.Parens, "The expression has redundant parentheses;");
        _groups[open] = close;
    }

    private ConditionNode ParsePrimary()
    {
        if (Peek.Kind == TokenKind.LeftParen && !OpensOperandGroup())
        {
            int open = _position++;
            Enter();
            var inner = ParseOr();
            _depth--;
            CloseGroup(open);
            return inner;
        }
        if (Peek.Kind == TokenKind.Name && PeekAt(1) == TokenKind.LeftParen)
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
            var high = ParseOperand();
            CheckMisused(left, low, high);
            CheckBounds(low, high);
            CountOperator();
            return new BetweenNode(left, low, high);
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
            CheckMisused(left);
            foreach (var candidate in candidates) CheckMisused(candidate);
            if (candidates.Count > MaxInOperands)
                _errors.Add(ExpressionErrors.Function, "The IN operator is provided with too many operands; number of operands: " + candidates.Count);
            CountOperator();
            return new InNode(left, candidates);
        }
        Comparator comparator;
        switch (Peek.Kind)
        {
            case TokenKind.Equal: comparator = Comparator.Equal; break;
            case TokenKind.NotEqual: comparator = Comparator.NotEqual; break;
            case TokenKind.Less: comparator = Comparator.Less; break;
            case TokenKind.LessOrEqual: comparator = Comparator.LessOrEqual; break;
            case TokenKind.Greater: comparator = Comparator.Greater; break;
            case TokenKind.GreaterOrEqual: comparator = Comparator.GreaterOrEqual; break;
            default:
                // size(a) alone is not a condition; anything else here is a syntax error.
                if (left is not SizeOperand) throw Syntax();
                _errors.Add(ExpressionErrors.MisusedFunction, "The function is not allowed to be used this way in an expression; function: size");
                return TrueNode.Instance;
        }
        _position++;
        var right = ParseOperand();
        CheckMisused(left, right);
        CheckDistinct(ComparatorText(comparator), left, right);
        CountOperator();
        return new ComparisonNode(comparator, left, right);
    }

    public static string ComparatorText(Comparator comparator) => comparator switch
    {
        Comparator.Equal => "=",
        Comparator.NotEqual => "<>",
        Comparator.Less => "<",
        Comparator.LessOrEqual => "<=",
        Comparator.Greater => ">",
        _ => ">=",
    };

    private List<Operand> ParseArguments()
    {
        _position += 2; // name and '('
        CountOperator();
        Enter();
        var arguments = new List<Operand> { ParseOperand() };
        while (Peek.Kind == TokenKind.Comma)
        {
            _position++;
            arguments.Add(ParseOperand());
        }
        Expect(TokenKind.RightParen);
        _depth--;
        return arguments;
    }

    private Operand ParseOperand()
    {
        var token = Peek;
        if (token.Kind == TokenKind.LeftParen)
        {
            int open = _position++;
            Enter();
            var inner = ParseOperand();
            _depth--;
            CloseGroup(open);
            return inner;
        }
        if (token.Kind == TokenKind.ValuePlaceholder)
        {
            _position++;
            return new ValueOperand(_attributes.ResolveValue(token.Text(_source), _errors));
        }
        if (token.Kind == TokenKind.Name && PeekAt(1) == TokenKind.LeftParen)
        {
            var function = token.Text(_source);
            var arguments = ParseArguments();
            if (function != "size")
            {
                if (ConditionFunctionArity(function) < 0)
                    _errors.Add(ExpressionErrors.UnknownFunction, "Invalid function name; function: " + function);
                return new MisusedFunctionOperand(function);
            }
            CheckMisused(arguments[0]);
            if (arguments.Count != 1)
            {
                _errors.Add(ExpressionErrors.OperandCount, "Incorrect number of operands for operator or function; operator or function: size, number of operands: " + arguments.Count);
                return new MisusedFunctionOperand(function);
            }
            if (arguments[0] is ValueOperand { Value.Type: AttributeType.N or AttributeType.BOOL or AttributeType.NULL } v)
                IncorrectOperandType("size", v.Value.Type.ToString());
            if (arguments[0] is not PathOperand path)
            {
                RequiresPath("size");
                return new MisusedFunctionOperand(function);
            }
            return new SizeOperand(path);
        }
        return new PathOperand(ParsePath());
    }

    private AttributePath ParsePath()
    {
        // AWS checks a path's depth before the placeholders in it, so its levels are counted before any is resolved.
        int levels = PathLevelsAhead();
        if (levels > MaxPathLevels)
            _errors.Add(ExpressionErrors.Nesting, "The document path has too many nesting levels; nesting levels: " + levels);
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

    // The levels of the path starting at the cursor (a name, then .name or [n] steps), without consuming it.
    private int PathLevelsAhead()
    {
        int i = _position, levels = 1;
        while (true)
        {
            if (PeekAt(i + 1 - _position) == TokenKind.Dot && PeekAt(i + 2 - _position) is TokenKind.Name or TokenKind.NamePlaceholder) i += 2;
            else if (PeekAt(i + 1 - _position) == TokenKind.LeftBracket && PeekAt(i + 2 - _position) == TokenKind.Integer
                && PeekAt(i + 3 - _position) == TokenKind.RightBracket) i += 3;
            else return levels;
            levels++;
        }
    }

    private string ParseName()
    {
        var token = Peek;
        if (token.Kind == TokenKind.Name)
        {
            _position++;
            var name = token.Text(_source);
            if (ReservedWords.Contains(name))
                _errors.Add(ExpressionErrors.Reserved, "Attribute name is a reserved keyword; reserved keyword: " + name);
            return name;
        }
        if (token.Kind == TokenKind.NamePlaceholder)
        {
            _position++;
            return _attributes.ResolveName(token.Text(_source), _errors);
        }
        throw Syntax();
    }
}

/// <summary>A function other than size() where an operand belongs; only ever part of a rejected expression.</summary>
internal sealed class MisusedFunctionOperand(string function) : Operand
{
    public string Function { get; } = function;
    public override AttributeValue? Evaluate(Dictionary<string, AttributeValue>? item) => null;
}
