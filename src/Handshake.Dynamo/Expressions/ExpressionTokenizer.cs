using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

internal enum TokenKind : byte
{
    End, Name, NamePlaceholder, ValuePlaceholder, Integer,
    LeftParen, RightParen, LeftBracket, RightBracket, Dot, Comma,
    Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Plus, Minus,
}

internal readonly record struct Token(TokenKind Kind, int Start, int Length)
{
    public string Text(string source) => Kind == TokenKind.End ? "<EOF>" : source.Substring(Start, Length);
}

/// <summary>
/// Splits an expression (condition, projection, key-condition, filter and update) into tokens. Keywords (AND, OR,
/// NOT, BETWEEN, IN, SET...) are plain names here; the parser recognises them case-insensitively.
/// </summary>
/// <remarks>
/// AWS's lexical rules, as its syntax errors show them: a name starts with a letter and goes on with letters, digits
/// and <c>_</c> (<c>attribute_not_exists(_version)</c> fails at token "_", near "(_version"; aws-sdk-java-v2#2950);
/// a placeholder is <c>#</c> or <c>:</c> and one or more of those characters; an integer is <c>0</c> alone or a
/// non-zero digit and more digits (<c>#AMZN_MAPPED_2021-03-03</c> is near "#AMZN_MAPPED_2021-0";
/// aws-sdk-java-v2#2310). Any other character is a one-character token the grammar never accepts.
/// </remarks>
internal static class ExpressionTokenizer
{
    public static List<Token> Tokenize(string source, string expressionName)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (true)
        {
            while (i < source.Length && char.IsWhiteSpace(source[i])) i++;
            if (i == source.Length) break;
            var token = Scan(source, i);
            if (token.Kind == TokenKind.End) throw SyntaxError(expressionName, source, tokens, token with { Kind = TokenKind.Name });
            tokens.Add(token);
            i = token.Start + token.Length;
        }
        tokens.Add(new Token(TokenKind.End, source.Length, 0));
        return tokens;
    }

    /// <summary>
    /// The token starting at <paramref name="start"/> (not whitespace). A character no token can start with, or a
    /// bare <c>#</c> or <c>:</c>, comes back as a one-character token of kind End: the caller's syntax error.
    /// </summary>
    private static Token Scan(string source, int start)
    {
        char c = source[start];
        int i = start + 1;
        if (IsLetter(c))
        {
            while (i < source.Length && IsNamePart(source[i])) i++;
            return new Token(TokenKind.Name, start, i - start);
        }
        if (c is '#' or ':')
        {
            while (i < source.Length && IsNamePart(source[i])) i++;
            if (i == start + 1) return new Token(TokenKind.End, start, 1);
            return new Token(c == '#' ? TokenKind.NamePlaceholder : TokenKind.ValuePlaceholder, start, i - start);
        }
        if (c is >= '1' and <= '9')
        {
            while (i < source.Length && source[i] is >= '0' and <= '9') i++;
            return new Token(TokenKind.Integer, start, i - start);
        }
        TokenKind kind;
        switch (c)
        {
            case '0': kind = TokenKind.Integer; break;
            case '(': kind = TokenKind.LeftParen; break;
            case ')': kind = TokenKind.RightParen; break;
            case '[': kind = TokenKind.LeftBracket; break;
            case ']': kind = TokenKind.RightBracket; break;
            case '.': kind = TokenKind.Dot; break;
            case ',': kind = TokenKind.Comma; break;
            case '+': kind = TokenKind.Plus; break;
            case '-': kind = TokenKind.Minus; break;
            case '=': kind = TokenKind.Equal; break;
            case '<':
                if (i < source.Length && source[i] == '=') { i++; kind = TokenKind.LessOrEqual; }
                else if (i < source.Length && source[i] == '>') { i++; kind = TokenKind.NotEqual; }
                else kind = TokenKind.Less;
                break;
            case '>':
                if (i < source.Length && source[i] == '=') { i++; kind = TokenKind.GreaterOrEqual; }
                else kind = TokenKind.Greater;
                break;
            default: return new Token(TokenKind.End, start, 1);
        }
        return new Token(kind, start, i - start);
    }

    private static bool IsLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsNamePart(char c) => IsLetter(c) || c is (>= '0' and <= '9') or '_';

    /// <summary>
    /// AWS's syntax error: the offending token, and "near" the source text from the start of the token before it to
    /// the end of the token after it, either left out where there is none (the offending token is the first, or the
    /// end). Every AWS capture found fits this rule: <c>ADD hits : incr</c> near "hits : incr" (aws-cdk#7591),
    /// <c>GI-1-PK = :x</c> near "GI-1", <c>dummy-id</c> near "dummy-id", <c>#articleId attribute_not_exists :ckpst</c>
    /// near that whole text, <c>_type</c> near "_type", <c>INVALID SYNTAX HERE</c> near "INVALID SYNTAX", and at the
    /// end <c>... AND NOT #has_air_conditioner</c> near "#has_air_conditioner" (token "&lt;EOF&gt;").
    /// </summary>
    public static DynamoException SyntaxError(string expressionName, string source, List<Token> before, Token bad)
    {
        int nearStart = before.Count > 0 ? before[^1].Start : bad.Start;
        int nearEnd = bad.Kind == TokenKind.End ? source.Length : NextTokenEnd(source, bad.Start + bad.Length);
        string near = source[nearStart..nearEnd].Trim();
        return DynamoException.Validation("Invalid " + expressionName + ": Syntax error; token: \"" + bad.Text(source) + "\", near: \"" + near + "\"");
    }

    // Where the token after `from` ends, by the same rules as Tokenize; `from` itself when only whitespace is left.
    private static int NextTokenEnd(string source, int from)
    {
        int i = from;
        while (i < source.Length && char.IsWhiteSpace(source[i])) i++;
        if (i == source.Length) return from;
        var next = Scan(source, i);
        return next.Start + next.Length;
    }
}
