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
/// Splits an expression (condition, projection, and later key-condition, filter and update) into tokens. Keywords
/// (AND, OR, NOT, BETWEEN, IN, SET...) are plain names here; the parser recognises them case-insensitively.
/// </summary>
internal static class ExpressionTokenizer
{
    public static List<Token> Tokenize(string source, string expressionName)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int start = i;
            TokenKind kind;
            if (IsNameStart(c))
            {
                while (i < source.Length && IsNamePart(source[i])) i++;
                tokens.Add(new Token(TokenKind.Name, start, i - start));
                continue;
            }
            if (c is '#' or ':')
            {
                i++;
                while (i < source.Length && IsNamePart(source[i])) i++;
                if (i == start + 1) throw SyntaxError(expressionName, source, tokens, new Token(TokenKind.Name, start, 1));
                tokens.Add(new Token(c == '#' ? TokenKind.NamePlaceholder : TokenKind.ValuePlaceholder, start, i - start));
                continue;
            }
            if (c is >= '0' and <= '9')
            {
                while (i < source.Length && source[i] is >= '0' and <= '9') i++;
                tokens.Add(new Token(TokenKind.Integer, start, i - start));
                continue;
            }
            i++;
            switch (c)
            {
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
                default:
                    throw SyntaxError(expressionName, source, tokens, new Token(TokenKind.Name, start, 1));
            }
            tokens.Add(new Token(kind, start, i - start));
        }
        tokens.Add(new Token(TokenKind.End, source.Length, 0));
        return tokens;
    }

    private static bool IsNameStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    private static bool IsNamePart(char c) => IsNameStart(c) || c is >= '0' and <= '9';

    /// <summary>
    /// AWS's syntax error: the offending token, and "near" two tokens: the one before it through it, or, when it is
    /// the first, it and the one after it (<c>INVALID SYNTAX HERE</c> is near "INVALID SYNTAX", <c>!!!</c> near "!!").
    /// </summary>
    public static DynamoException SyntaxError(string expressionName, string source, List<Token> tokens, Token bad)
    {
        int nearStart = -1;
        for (int i = tokens.Count - 1; i >= 0; i--)
        {
            if (tokens[i].Start < bad.Start) { nearStart = tokens[i].Start; break; }
        }
        int nearEnd = bad.Kind == TokenKind.End ? source.Length : bad.Start + bad.Length;
        if (nearStart < 0)
        {
            nearStart = bad.Start;
            if (bad.Kind != TokenKind.End) nearEnd = NextTokenEnd(source, nearEnd);
        }
        string near = source[nearStart..nearEnd].Trim();
        return DynamoException.Validation("Invalid " + expressionName + ": Syntax error; token: \"" + bad.Text(source) + "\", near: \"" + near + "\"");
    }

    // Where the token starting at or after `from` ends, by the same rules as Tokenize; `from` itself at the end.
    private static int NextTokenEnd(string source, int from)
    {
        int i = from;
        while (i < source.Length && char.IsWhiteSpace(source[i])) i++;
        if (i == source.Length) return from;
        char c = source[i];
        if (IsNameStart(c) || c is '#' or ':')
        {
            i++;
            while (i < source.Length && IsNamePart(source[i])) i++;
            return i;
        }
        if (c is >= '0' and <= '9')
        {
            while (i < source.Length && source[i] is >= '0' and <= '9') i++;
            return i;
        }
        if (i + 1 < source.Length && ((c == '<' && source[i + 1] is '=' or '>') || (c == '>' && source[i + 1] == '='))) return i + 2;
        return i + 1;
    }
}
