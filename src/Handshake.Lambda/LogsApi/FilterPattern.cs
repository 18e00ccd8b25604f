using System.Text;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// CloudWatch Logs' filter patterns for unstructured text, as FilterLogEvents applies them to each message:
/// <list type="bullet">
/// <item>terms separated by spaces must all appear (<c>ERROR Exception</c>), case-sensitively, anywhere in the message;</item>
/// <item>a "quoted phrase" is one term, spaces and symbols included (<c>\"</c> and <c>\\</c> escape inside it);</item>
/// <item><c>-term</c> excludes the messages that contain the term (<c>ERROR -Retrying</c>);</item>
/// <item><c>?term</c> starts an alternative: the message matches when any alternative matches (<c>?ERROR ?WARN</c>), and
/// the terms after a <c>?term</c> belong to its alternative, which is how the CDK's anyTermGroup writes
/// <c>?"ERROR" "MainThread" ?"WARN" "Deadlock"</c>;</item>
/// <item>an empty pattern matches every event.</item>
/// </list>
/// JSON (<c>{ $.level = "ERROR" }</c>), space-delimited (<c>[ip, user, ...]</c>) and regular-expression (<c>%...%</c>)
/// patterns are refused with InvalidParameterException rather than matched wrongly.
/// </summary>
internal sealed class FilterPattern
{
    private sealed class Alternative
    {
        public List<string> Required { get; } = [];

        public List<string> Excluded { get; } = [];

        public bool IsEmpty => Required.Count == 0 && Excluded.Count == 0;

        public bool Matches(string message)
        {
            foreach (string term in Required)
            {
                if (!message.Contains(term, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            foreach (string term in Excluded)
            {
                if (message.Contains(term, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private readonly List<Alternative> _alternatives;

    private FilterPattern(List<Alternative> alternatives) => _alternatives = alternatives;

    /// <summary>The pattern that matches everything (no filterPattern, or an empty one).</summary>
    public bool MatchesAll => _alternatives.Count == 0;

    public bool Matches(string message)
    {
        if (_alternatives.Count == 0)
        {
            return true;
        }

        foreach (Alternative alternative in _alternatives)
        {
            if (alternative.Matches(message))
            {
                return true;
            }
        }

        return false;
    }

    /// <exception cref="LogsException">InvalidParameterException for a pattern of a kind not implemented, or malformed.</exception>
    public static FilterPattern Parse(string? pattern)
    {
        string text = (pattern ?? "").Trim();
        if (text.Length > 0 && text[0] is '{' or '[' or '%')
        {
            string kind = text[0] switch { '{' => "JSON", '[' => "space-delimited", _ => "regular expression" };
            throw LogsException.InvalidParameter(
                $"Handshake does not implement {kind} filter patterns; only unstructured-text patterns (terms, \"quoted phrases\", ?alternatives, -exclusions) are supported.");
        }

        List<Alternative> alternatives = [];
        Alternative current = new();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            bool alternative = false;
            bool excluded = false;
            if (text[i] == '?')
            {
                alternative = true;
                i++;
            }

            if (i < text.Length && text[i] == '-')
            {
                excluded = true;
                i++;
            }

            if (i >= text.Length || char.IsWhiteSpace(text[i]))
            {
                throw Invalid(pattern!);
            }

            string term = text[i] == '"' ? ReadPhrase(text, ref i, pattern!) : ReadWord(text, ref i);
            if (alternative)
            {
                if (!current.IsEmpty)
                {
                    alternatives.Add(current);
                }

                current = new Alternative();
            }

            (excluded ? current.Excluded : current.Required).Add(term);
        }

        if (!current.IsEmpty)
        {
            alternatives.Add(current);
        }

        return new FilterPattern(alternatives);
    }

    private static string ReadWord(string text, ref int i)
    {
        int start = i;
        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return text[start..i];
    }

    private static string ReadPhrase(string text, ref int i, string pattern)
    {
        StringBuilder phrase = new();
        i++; // the opening quote
        while (i < text.Length)
        {
            char c = text[i++];
            if (c == '"')
            {
                return phrase.ToString();
            }

            if (c == '\\' && i < text.Length && text[i] is '"' or '\\')
            {
                c = text[i++];
            }

            phrase.Append(c);
        }

        throw Invalid(pattern); // an unterminated phrase
    }

    private static LogsException Invalid(string pattern) => LogsException.InvalidParameter($"Invalid filter pattern: {pattern}");
}
