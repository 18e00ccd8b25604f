using System.Globalization;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// A recursive-descent parser for DynamoDB's PartiQL subset: SELECT, INSERT ... VALUE, UPDATE ... SET/REMOVE,
/// DELETE, and EXISTS(SELECT ...) (transactions). <c>?</c> parameters are bound in order as they are met, and the
/// count must match the request's Parameters exactly.
/// </summary>
internal sealed class PartiQLParser
{
    private readonly List<Token> _tokens;
    private readonly IReadOnlyList<AttributeValue> _parameters;
    private int _at;
    private int _usedParameters;
    private int _depth;

    // An 8 KB statement of nested parentheses, NOTs or lists would recurse thousands of frames deep; it is refused as
    // malformed long before that can endanger the stack. (DynamoDB's own nesting limit is 32 levels for values.)
    private const int MaxDepth = 200;

    private void Enter()
    {
        if (++_depth > MaxDepth) throw PartiQLErrors.NotWellFormed("Expression is nested too deeply");
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "MISSING", "NULL", "TRUE", "FALSE",
        "ORDER", "BY", "ASC", "DESC", "SET", "REMOVE", "RETURNING", "VALUE", "VALUES", "INTO", "INSERT", "UPDATE", "DELETE", "EXISTS",
    };

    private PartiQLParser(string statement, IReadOnlyList<AttributeValue>? parameters)
    {
        _tokens = PartiQLTokenizer.Tokenize(statement);
        _parameters = parameters ?? [];
    }

    public static PartiQLStatement Parse(string statement, IReadOnlyList<AttributeValue>? parameters)
    {
        var parser = new PartiQLParser(statement, parameters);
        var result = parser.ParseStatement();
        if (parser.Peek.Is(";")) parser._at++;
        if (parser.Peek.Kind != TokenKind.End) throw parser.Unexpected();
        if (parser._usedParameters != parser._parameters.Count) throw DynamoException.Validation(PartiQLErrors.ParameterCount);
        return result;
    }

    private Token Peek => _tokens[_at];

    private Token Next() => _tokens[_at++];

    private DynamoException Unexpected()
    {
        var t = Peek;
        return PartiQLErrors.NotWellFormed(t.Kind switch
        {
            TokenKind.End => "Unexpected end of statement",
            TokenKind.Word when Keywords.Contains(t.Text) => "Unexpected keyword",
            _ => "Unexpected token",
        });
    }

    private bool Accept(string symbol)
    {
        if (!Peek.Is(symbol)) return false;
        _at++;
        return true;
    }

    private bool AcceptKeyword(string keyword)
    {
        if (!Peek.IsKeyword(keyword)) return false;
        _at++;
        return true;
    }

    private void Expect(string symbol)
    {
        if (!Accept(symbol)) throw Unexpected();
    }

    private void ExpectKeyword(string keyword)
    {
        if (!AcceptKeyword(keyword)) throw Unexpected();
    }

    private PartiQLStatement ParseStatement()
    {
        if (AcceptKeyword("SELECT")) return ParseSelect(exists: false);
        if (AcceptKeyword("INSERT")) return ParseInsert();
        if (AcceptKeyword("UPDATE")) return ParseUpdate();
        if (AcceptKeyword("DELETE")) return ParseDelete();
        if (AcceptKeyword("EXISTS"))
        {
            Expect("(");
            ExpectKeyword("SELECT");
            var select = ParseSelect(exists: true);
            Expect(")");
            return select;
        }
        throw PartiQLErrors.NotWellFormed("Expected data manipulation");
    }

    private SelectStatement ParseSelect(bool exists)
    {
        List<AttributePath>? projection = null;
        if (!Accept("*"))
        {
            projection = [ParsePath()];
            while (Accept(",")) projection.Add(ParsePath());
        }
        if (Peek.Is(",")) throw DynamoException.Validation("Other attributes should not be present in the projection when '*' is used.");
        ExpectKeyword("FROM");
        var table = ParseName();
        string? index = null;
        if (Accept(".")) index = ParseName();
        ConditionNode? where = null;
        if (AcceptKeyword("WHERE")) where = ParseCondition();
        string? orderBy = null;
        bool descending = false;
        if (AcceptKeyword("ORDER"))
        {
            ExpectKeyword("BY");
            orderBy = ParseName();
            if (AcceptKeyword("DESC")) descending = true;
            else AcceptKeyword("ASC");
        }
        return new SelectStatement
        {
            TableName = table, IndexName = index, Projection = projection, Where = where, OrderBy = orderBy, Descending = descending, IsExists = exists,
        };
    }

    private InsertStatement ParseInsert()
    {
        ExpectKeyword("INTO");
        var table = ParseName();
        if (Peek.IsKeyword("VALUES"))
            throw DynamoException.Validation("Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead");
        ExpectKeyword("VALUE");
        // The item is a tuple literal or one ? parameter (a map); a ? is a Parameter token, not a symbol.
        if (!Peek.Is("{") && Peek.Kind != TokenKind.Parameter)
            throw DynamoException.Validation("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
        var item = ParseValue();
        if (item.Type != AttributeType.M)
            throw DynamoException.Validation("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
        if (Peek.IsKeyword("RETURNING")) throw DynamoException.Validation("RETURNING is not supported in INSERT");
        return new InsertStatement { TableName = table, Item = item.M };
    }

    private UpdateStatement ParseUpdate()
    {
        var table = ParseName();
        string? index = null;
        if (Accept(".")) index = ParseName();
        var actions = new List<UpdateAction>();
        while (true)
        {
            if (AcceptKeyword("SET"))
            {
                do actions.Add(ParseAssignment());
                while (Accept(","));
            }
            else if (AcceptKeyword("REMOVE"))
            {
                do actions.Add(new UpdateAction(UpdateActionKind.Remove, ParsePath(), null));
                while (Accept(","));
            }
            else break;
        }
        if (actions.Count == 0) throw Unexpected();
        // The actions become an UpdateExpression, under its rule that no two may touch overlapping paths.
        for (int j = 1; j < actions.Count; j++)
            for (int i = 0; i < j; i++)
                if (AttributePath.Relate(actions[i].Path, actions[j].Path) is var relation and not PathRelation.Distinct)
                    throw DynamoException.Validation("Invalid UpdateExpression: " + AttributePath.RelationMessage(relation, actions[i].Path, actions[j].Path));
        if (!AcceptKeyword("WHERE")) throw PeekIsEnd() ? DynamoException.Validation(PartiQLErrors.IncompleteKey) : Unexpected();
        var where = ParseCondition();
        var returning = ParseReturning();
        return new UpdateStatement { TableName = table, IndexName = index, Actions = actions, Where = where, Returning = returning };
    }

    private DeleteStatement ParseDelete()
    {
        ExpectKeyword("FROM");
        var table = ParseName();
        string? index = null;
        if (Accept(".")) index = ParseName();
        if (!AcceptKeyword("WHERE")) throw PeekIsEnd() ? DynamoException.Validation(PartiQLErrors.IncompleteKey) : Unexpected();
        var where = ParseCondition();
        var returning = ParseReturning();
        if (returning is not (Returning.None or Returning.AllOld))
            throw DynamoException.Validation("Invalid returning clause: RETURNING " + ReturningText(returning) + ". Only RETURNING ALL OLD * is allowed in DELETE statements.");
        return new DeleteStatement { TableName = table, IndexName = index, Where = where, Returning = returning };
    }

    private bool PeekIsEnd() => Peek.Kind == TokenKind.End || Peek.Is(";");

    private Returning ParseReturning()
    {
        if (!AcceptKeyword("RETURNING")) return Returning.None;
        bool all;
        if (AcceptKeyword("ALL")) all = true;
        else if (AcceptKeyword("MODIFIED")) all = false;
        else throw Unexpected();
        bool old;
        if (AcceptKeyword("OLD")) old = true;
        else if (AcceptKeyword("NEW")) old = false;
        else throw Unexpected();
        if (!Accept("*")) throw DynamoException.Validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
        return (all, old) switch
        {
            (true, true) => Returning.AllOld,
            (false, true) => Returning.ModifiedOld,
            (true, false) => Returning.AllNew,
            _ => Returning.ModifiedNew,
        };
    }

    public static string ReturningText(Returning r) => r switch
    {
        Returning.AllOld => "ALL OLD *",
        Returning.ModifiedOld => "MODIFIED OLD *",
        Returning.AllNew => "ALL NEW *",
        _ => "MODIFIED NEW *",
    };

    // A table, index or top-level attribute name: a double-quoted name, or a bare word that is not a keyword.
    private string ParseName()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Quoted)
        {
            _at++;
            if (t.Text.Length == 0) throw DynamoException.Validation("Path component cannot be an empty string");
            return t.Text;
        }
        if (t.Kind == TokenKind.Word && !Keywords.Contains(t.Text))
        {
            _at++;
            return t.Text;
        }
        throw Unexpected();
    }

    private AttributePath ParsePath()
    {
        if (Peek.Is("[")) throw DynamoException.Validation("A path cannot start with a list index");
        var elements = new List<PathElement> { new(ParseName(), 0) };
        while (true)
        {
            if (Accept("."))
            {
                elements.Add(new PathElement(ParseName(), 0));
            }
            else if (Accept("["))
            {
                var t = Next();
                if (t.Kind == TokenKind.Number && int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                    elements.Add(new PathElement(null, index));
                else if (t.Kind is TokenKind.String or TokenKind.Quoted) elements.Add(new PathElement(t.Text, 0));
                else
                {
                    _at--;
                    throw Unexpected();
                }
                Expect("]");
            }
            else return new AttributePath(elements);
        }
    }

    private UpdateAction ParseAssignment()
    {
        var path = ParsePath();
        Expect("=");
        // set_add(path, <<...>>) and set_delete(path, <<...>>) are UpdateExpression's ADD and DELETE of a set.
        foreach (var (function, kind) in new[] { ("set_add", UpdateActionKind.Add), ("set_delete", UpdateActionKind.Delete) })
        {
            if (!(Peek.IsKeyword(function) && _tokens[_at + 1].Is("("))) continue;
            string name = function.ToUpperInvariant();
            _at += 2;
            var first = ParsePath();
            if (AttributePath.Relate(first, path) != PathRelation.Overlap || first.Elements.Count != path.Elements.Count)
                throw DynamoException.Validation("The first argument to " + name + " must equal the assignment value");
            Expect(",");
            var set = ParseValue();
            if (set.Type is not (AttributeType.SS or AttributeType.NS or AttributeType.BS))
                throw DynamoException.Validation("The second argument to " + name + " must be a value with type SET");
            Expect(")");
            return new UpdateAction(kind, path, new LiteralValue(set));
        }
        return new UpdateAction(UpdateActionKind.Set, path, ParseUpdateValue());
    }

    private UpdateValue ParseUpdateValue()
    {
        Enter();
        var left = ParseUpdateTerm();
        while (Peek.Is("+") || Peek.Is("-"))
        {
            bool plus = Next().Text == "+";
            left = new ArithmeticValue(plus, left, ParseUpdateTerm());
        }
        _depth--;
        return left;
    }

    private UpdateValue ParseUpdateTerm()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Word && _tokens[_at + 1].Is("("))
        {
            if (t.IsKeyword("list_append"))
            {
                _at += 2;
                var a = ParseUpdateValue();
                Expect(",");
                var b = ParseUpdateValue();
                Expect(")");
                return new ListAppendValue(a, b);
            }
            if (t.IsKeyword("if_not_exists"))
            {
                _at += 2;
                var path = ParsePath();
                Expect(",");
                var fallback = ParseUpdateValue();
                Expect(")");
                return new IfNotExistsValue(path, fallback);
            }
            throw DynamoException.Validation("Unrecognized function: " + t.Text);
        }
        if (IsPathStart(t)) return new PathValue(ParsePath());
        return new LiteralValue(ParseValue());
    }

    private static bool IsPathStart(Token t) => t.Kind == TokenKind.Quoted || (t.Kind == TokenKind.Word && !Keywords.Contains(t.Text));

    // ---- conditions ----

    private ConditionNode ParseCondition()
    {
        Enter();
        var left = ParseAnd();
        while (AcceptKeyword("OR")) left = new OrNode(left, ParseAnd());
        _depth--;
        return left;
    }

    private ConditionNode ParseAnd()
    {
        var left = ParseNot();
        while (AcceptKeyword("AND")) left = new AndNode(left, ParseNot());
        return left;
    }

    private ConditionNode ParseNot()
    {
        if (!AcceptKeyword("NOT")) return ParsePredicate();
        Enter();
        var operand = ParseNot();
        _depth--;
        return new NotNode(operand);
    }

    private ConditionNode ParsePredicate()
    {
        if (Accept("("))
        {
            var inner = ParseCondition();
            Expect(")");
            return inner;
        }
        var t = Peek;
        if (t.Kind == TokenKind.Word && _tokens[_at + 1].Is("(") && !t.IsKeyword("size"))
        {
            string function = t.Text.ToLowerInvariant();
            if (function is not ("begins_with" or "contains" or "attribute_type"))
                throw DynamoException.Validation("Unrecognized function: " + t.Text);
            _at += 2;
            var first = ParseOperand();
            Expect(",");
            var second = ParseOperand();
            Expect(")");
            return new FunctionNode(function, [first, second]);
        }
        var left = ParseOperand();
        if (AcceptKeyword("IS"))
        {
            bool negate = AcceptKeyword("NOT");
            ConditionNode node;
            if (AcceptKeyword("MISSING")) node = new FunctionNode("attribute_not_exists", [left]);
            else
            {
                var typeToken = Next();
                string? type = typeToken.Kind == TokenKind.Word ? typeToken.Text.ToUpperInvariant() switch
                {
                    "NULL" => "NULL",
                    "BOOLEAN" => "BOOL",
                    "BLOB" => "B",
                    "STRING" => "S",
                    "NUMERIC" => "N",
                    "STRUCT" or "TUPLE" => "M",
                    "LIST" => "L",
                    _ => null,
                } : null;
                if (type is null)
                    throw DynamoException.Validation("Unsupported data type for IS operator: " + typeToken.Text
                        + ". Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]");
                node = new FunctionNode("attribute_type", [left, new ValueOperand(AttributeValue.FromString(type))]);
            }
            return negate ? new NotNode(node) : node;
        }
        bool not = AcceptKeyword("NOT");
        if (AcceptKeyword("BETWEEN"))
        {
            var low = ParseOperand();
            ExpectKeyword("AND");
            var high = ParseOperand();
            ConditionNode between = new BetweenNode(left, low, high);
            return not ? new NotNode(between) : between;
        }
        if (AcceptKeyword("IN"))
        {
            string close;
            if (Accept("[")) close = "]";
            else if (Accept("(")) close = ")";
            else throw DynamoException.Validation("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
            var candidates = new List<Operand>();
            if (!Peek.Is(close))
            {
                do candidates.Add(new ValueOperand(ParseValue()));
                while (Accept(","));
            }
            Expect(close);
            if (candidates.Count == 0)
                throw DynamoException.Validation("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
            ConditionNode @in = new InNode(left, candidates);
            return not ? new NotNode(@in) : @in;
        }
        if (not) throw Unexpected();
        Comparator? comparator = Peek.Kind == TokenKind.Symbol ? Peek.Text switch
        {
            "=" => Comparator.Equal,
            "<>" or "!=" => Comparator.NotEqual,
            "<" => Comparator.Less,
            "<=" => Comparator.LessOrEqual,
            ">" => Comparator.Greater,
            ">=" => Comparator.GreaterOrEqual,
            _ => null,
        } : null;
        if (comparator is null) throw PartiQLErrors.NotWellFormed(Peek.Kind == TokenKind.End ? "Unexpected end of statement" : "Unexpected token");
        _at++;
        if (Peek.IsKeyword("MISSING")) throw DynamoException.Validation("MISSING must be compared using IS operator");
        return new ComparisonNode(comparator.Value, left, ParseOperand());
    }

    private Operand ParseOperand()
    {
        var t = Peek;
        if (t.IsKeyword("size") && _tokens[_at + 1].Is("("))
        {
            _at += 2;
            var path = new PathOperand(ParsePath());
            Expect(")");
            return new SizeOperand(path);
        }
        if (t.IsKeyword("MISSING")) throw DynamoException.Validation("MISSING must be compared using IS operator");
        if (IsPathStart(t)) return new PathOperand(ParsePath());
        return new ValueOperand(ParseValue());
    }

    // ---- values ----

    private AttributeValue ParseValue()
    {
        Enter();
        var value = ParseValueInner();
        _depth--;
        return value;
    }

    private AttributeValue ParseValueInner()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.String: return AttributeValue.FromString(t.Text);
            case TokenKind.Number: return Number(t.Text);
            case TokenKind.Parameter:
                if (_usedParameters >= _parameters.Count) throw DynamoException.Validation(PartiQLErrors.ParameterCount);
                return _parameters[_usedParameters++];
            case TokenKind.Word:
                if (t.IsKeyword("TRUE")) return AttributeValue.True;
                if (t.IsKeyword("FALSE")) return AttributeValue.False;
                if (t.IsKeyword("NULL")) return AttributeValue.Null;
                break;
            case TokenKind.Symbol:
                switch (t.Text)
                {
                    case "-":
                        if (Peek.Kind == TokenKind.Number) return Number("-" + Next().Text);
                        break;
                    case "+":
                        if (Peek.Kind == TokenKind.Number) return Number(Next().Text);
                        break;
                    case "[":
                    {
                        var list = new List<AttributeValue>();
                        if (!Accept("]"))
                        {
                            do list.Add(ParseValue());
                            while (Accept(","));
                            Expect("]");
                        }
                        return AttributeValue.FromList(list);
                    }
                    case "{":
                    {
                        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
                        if (!Accept("}"))
                        {
                            do
                            {
                                var key = Next();
                                if (key.Kind != TokenKind.String)
                                {
                                    _at--;
                                    throw Unexpected();
                                }
                                // A tuple's keys become attribute names, refused when empty as in any item or map
                                // sent as JSON: an INSERT or SET must not store what PutItem would refuse.
                                if (AttributeValueJson.NameError(key.Text) is { } nameError) throw DynamoException.Validation(nameError);
                                Expect(":");
                                if (!map.TryAdd(key.Text, ParseValue()))
                                    throw DynamoException.Validation("Duplicate keys in tuple. Key: " + key.Text);
                            }
                            while (Accept(","));
                            Expect("}");
                        }
                        return AttributeValue.FromMap(map);
                    }
                    case "<<":
                    {
                        var members = new List<AttributeValue>();
                        if (!Peek.Is(">>"))
                        {
                            do members.Add(ParseValue());
                            while (Accept(","));
                        }
                        Expect(">>");
                        return Bag(members);
                    }
                }
                break;
        }
        _at--;
        throw Unexpected();
    }

    private static AttributeValue Number(string text)
    {
        var error = DynamoNumber.TryParse(text, out var number);
        if (error is not null) throw DynamoException.Validation(error);
        return AttributeValue.FromNumber(number);
    }

    // A bag literal is a set: all strings (SS) or all numbers (NS); binary sets come only from parameters.
    private static AttributeValue Bag(List<AttributeValue> members)
    {
        if (members.Count == 0) throw DynamoException.Validation("Empty bags are not supported");
        const string unsupported = "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags";
        var type = members[0].Type;
        if (type == AttributeType.S)
        {
            var set = new List<string>();
            foreach (var m in members)
            {
                if (m.Type != AttributeType.S) throw DynamoException.Validation(unsupported);
                if (!set.Contains(m.S)) set.Add(m.S);
            }
            return AttributeValue.FromStringSet(set);
        }
        if (type == AttributeType.N)
        {
            var set = new List<DynamoNumber>();
            foreach (var m in members)
            {
                if (m.Type != AttributeType.N) throw DynamoException.Validation(unsupported);
                if (!set.Contains(m.N)) set.Add(m.N);
            }
            return AttributeValue.FromNumberSet(set);
        }
        throw DynamoException.Validation(unsupported);
    }
}
