using System.Text;

namespace Handshake.Dynamo.PartiQL;

internal enum TokenKind : byte
{
    /// <summary>A bare word: a keyword or an unquoted identifier.</summary>
    Word,
    /// <summary>A double-quoted identifier: a table, index or attribute name, taken as written.</summary>
    Quoted,
    /// <summary>A single-quoted string literal.</summary>
    String,
    Number,
    Symbol,
    Parameter,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    /// <summary>Keywords are case-insensitive; identifiers are not.</summary>
    public bool IsKeyword(string keyword) => Kind == TokenKind.Word && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Splits a PartiQL statement into tokens. Strings are single-quoted and names double-quoted, each doubling its quote
/// to escape it; <c>--</c> starts a comment to the end of the line, as in SQL.
/// </summary>
internal static class PartiQLTokenizer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i + 1 < text.Length && text[i] == '-' && text[i + 1] == '-')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (i >= text.Length) break;
            int start = i;
            char c = text[i];
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '$')) i++;
                tokens.Add(new Token(TokenKind.Word, text[start..i], start));
            }
            else if (c == '"' || c == '\'')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length) throw PartiQLErrors.NotWellFormed("Unexpected end of statement");
                    if (text[i] == c)
                    {
                        if (i + 1 < text.Length && text[i + 1] == c)
                        {
                            sb.Append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.Append(text[i++]);
                }
                tokens.Add(new Token(c == '"' ? TokenKind.Quoted : TokenKind.String, sb.ToString(), start));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                }
                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    int save = i++;
                    if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
                    if (i < text.Length && char.IsAsciiDigit(text[i])) while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    else i = save;
                }
                tokens.Add(new Token(TokenKind.Number, text[start..i], start));
            }
            else if (c == '?')
            {
                i++;
                tokens.Add(new Token(TokenKind.Parameter, "?", start));
            }
            else
            {
                string two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "<>" or "!=" or "<=" or ">=" or "<<" or ">>")
                {
                    i += 2;
                    tokens.Add(new Token(TokenKind.Symbol, two, start));
                }
                else if ("()[]{},.:;*=<>+-".Contains(c))
                {
                    i++;
                    tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start));
                }
                else throw PartiQLErrors.NotWellFormed("Unexpected character: " + c);
            }
        }
        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length));
        return tokens;
    }
}
