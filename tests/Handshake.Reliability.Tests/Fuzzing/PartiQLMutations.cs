using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// Damages valid PartiQL requests: tokens deleted, duplicated, swapped or replaced, quotes and brackets broken,
/// keywords in odd case, numbers huge or malformed, strings in odd unicode or empty, values nested deep, parameters
/// dropped, added or of the wrong shape, the table renamed; then wraps the statement as ExecuteStatement, as one of a
/// BatchExecuteStatement or as one of an ExecuteTransaction, sometimes with odd request members.
/// </summary>
internal sealed partial class PartiQLMutations(Random random, string table)
{
    private readonly Random _r = random;

    [GeneratedRegex("""'(?:[^']|'')*'|"(?:[^"]|"")*"|<<|>>|<>|!=|<=|>=|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\?|\s+|.""", RegexOptions.Singleline)]
    private static partial Regex TokenPattern();

    private static readonly string[] Pool =
    [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "MISSING", "NULL", "TRUE", "FALSE", "ORDER", "BY",
        "DESC", "SET", "REMOVE", "RETURNING", "ALL", "OLD", "NEW", "MODIFIED", "VALUE", "VALUES", "INTO", "INSERT", "UPDATE",
        "DELETE", "EXISTS", "size", "begins_with", "contains", "attribute_type", "list_append", "if_not_exists", "set_add",
        "set_delete", "COUNT", "*", ",", ".", "(", ")", "[", "]", "{", "}", "<<", ">>", "=", "<>", "<", ">", "+", "-", ":", ";",
        "?", "?", "'x'", "''", "1", "-0", "1e5", "\"\"", "\"pk\"", "pk", "sk", "g", "\"byG\"", "--", "@", "#", "$", "%", "\\",
        "'", "\"", "`", "/*", "*/", "\u00e9", "\u0000", "\t", "\n",
    ];

    private static readonly string[] OddNumbers =
    [
        "1e400", "1e-400", "123456789012345678901234567890123456789012", "0.000000000000000000000000000000000000001234567890123456789",
        "1e125", "9.9999999999999999999999999999999999999E+125", "1E-130", "1e-131", "00000", "-0", "1.", ".5", "1e", "1e+",
        "99999999999999999999", "2147483648", "-9223372036854775809", "1_000", "0x10", "NaN", "Infinity", "1.5.5",
    ];

    private static readonly string[] OddStrings =
    [
        "", " ", "\u00e9\u0301", "\u202Eevil", "\ud83d\ude00", "\u0000", "\u4e2d\u6587", "''", "\"", "\\", "\n", "a\u0000b",
        "\uFEFF", "\uFFFF", "\U0001F9EA", "%s%n", "';--", "SELECT * FROM x",
    ];

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private bool Chance(double p) => _r.NextDouble() < p;

    /// <summary>
    /// The next damaged request. <c>Expected</c> is the exact answer AWS gives when the damage has one (a valid statement
    /// sent alone with one parameter too many or too few: "Number of parameters in request and statement don't match."),
    /// else null.
    /// </summary>
    public (string Operation, byte[] Body, string Description, string? Expected) Next(PartiQLStatements generator)
    {
        (string statement, JsonArray parameters) = Base(generator);
        // Only a SELECT's text is always valid as generated; a write may be meant to fail (an odd key, overlapping
        // paths), and which of two faults AWS reports first is not known.
        bool select = statement.StartsWith("SELECT", StringComparison.Ordinal);
        List<string> done = [];
        int rounds = 1 + _r.Next(3);
        bool countOnly = false;
        for (int i = 0; i < rounds; i++)
        {
            if (parameters.Count > 0 && Chance(0.3) || Chance(0.08))
            {
                string what = MutateParameters(parameters);
                // Only these two leave every ? before the change bound as it was: anything else may be refused first for
                // a value (a shifted parameter in set_add, say).
                countOnly = select && rounds == 1 && what is "dropped the last parameter" or "added a valid parameter at the end";
                done.Add(what);
            }
            else
            {
                (statement, string what) = MutateText(statement);
                done.Add(what);
            }
        }

        JsonObject members = new() { ["Statement"] = statement };
        if (parameters.Count > 0 || Chance(0.05))
        {
            members["Parameters"] = parameters;
        }

        string operation;
        JsonObject body;
        int wrap = _r.Next(10);
        string? expected = null;
        if (wrap < 6 && countOnly && !(parameters.Count == 0 && members.ContainsKey("Parameters")))
        {
            // Nothing else is wrong with the request, so the count is what it is refused for.
            return ("ExecuteStatement", Encoding.UTF8.GetBytes(members.ToJsonString()), done[0], "ValidationException: Number of parameters in request and statement don't match.");
        }

        if (wrap < 6)
        {
            operation = "ExecuteStatement";
            body = members;
            if (Chance(0.2)) body["Limit"] = Pick(new JsonNode[] { 1, 2, 0, -1, 1000000, 2147483648L, "1", 1.5 });
            if (Chance(0.1)) body["NextToken"] = Pick(["x", "", "AAAA", "eyJ9", new string('A', 40000), "====", "\u00e9"]);
            if (Chance(0.15)) body["ConsistentRead"] = Pick(new JsonNode[] { true, false, "yes" });
            if (Chance(0.1)) body["ReturnConsumedCapacity"] = Pick(["TOTAL", "INDEXES", "NONE", "bogus"]);
            if (Chance(0.1)) body["ReturnValuesOnConditionCheckFailure"] = Pick(["ALL_OLD", "NONE", "ALL_NEW"]);
        }
        else if (wrap < 8)
        {
            operation = "BatchExecuteStatement";
            body = new JsonObject { ["Statements"] = WithCompanion(members, generator) };
        }
        else
        {
            operation = "ExecuteTransaction";
            body = new JsonObject { ["TransactStatements"] = WithCompanion(members, generator) };
            // The GUID comes from the case's own Random, so a replayed case sends the same token.
            if (Chance(0.2)) body["ClientRequestToken"] = Pick(["", "t", new string('x', 37), SeededGuid().ToString()]);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        if (Chance(0.03))
        {
            // Bytes that are not UTF-8 inside the statement: the JSON layer's to refuse.
            int at = Encoding.UTF8.GetString(bytes).IndexOf("\"Statement\":\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                at += "\"Statement\":\"".Length;
                bytes = [.. bytes[..at], 0xFF, 0xC3, .. bytes[at..]];
                done.Add("invalid UTF-8 in the statement");
            }
        }

        return (operation, bytes, string.Join("; ", done), expected);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "MISSING", "NULL", "TRUE", "FALSE", "ORDER", "BY",
        "ASC", "DESC", "STRING", "NUMERIC", "LIST", "STRUCT", "BOOLEAN", "BLOB", "size", "begins_with", "contains", "attribute_type",
    };

    /// <summary>
    /// A SELECT and the same statement written differently: keywords and function names in random case, whitespace
    /// changed (tabs, newlines, a -- comment, none around symbols) and sometimes a closing semicolon. Both must read
    /// the same items.
    /// </summary>
    public (string Statement, string Variant, JsonArray Parameters) Equivalent(PartiQLStatements generator)
    {
        string statement;
        JsonArray parameters;
        if (Chance(0.5))
        {
            PartiQLCase one = generator.SelectOne();
            (statement, parameters) = (one.Statement, one.Parameters);
        }
        else
        {
            SelectCase many = generator.Select();
            (statement, parameters) = (many.Statement, many.Parameters);
        }

        List<string> tokens = TokenPattern().Matches(statement).Select(m => m.Value).ToList();
        StringBuilder variant = new();
        for (int i = 0; i < tokens.Count; i++)
        {
            string t = tokens[i];
            if (Keywords.Contains(t))
            {
                variant.Append(new string(t.Select(ch => Chance(0.5) ? char.ToUpperInvariant(ch) : char.ToLowerInvariant(ch)).ToArray()));
            }
            else if (string.IsNullOrWhiteSpace(t))
            {
                bool besideSymbol = i > 0 && i + 1 < tokens.Count && (IsSymbol(tokens[i - 1]) || IsSymbol(tokens[i + 1]));
                variant.Append(besideSymbol && Chance(0.5) ? "" : Pick([" ", "  ", "\t", "\n", " -- note\n", "\r\n"]));
            }
            else
            {
                variant.Append(t);
            }
        }

        if (Chance(0.3))
        {
            variant.Append(Pick([";", " ;", "\n"]));
        }

        return (statement, variant.ToString(), parameters);
    }

    // Symbols whose neighbours' spacing does not matter; '-' and '<', '>' are left alone, so nothing new fuses.
    private static bool IsSymbol(string token) => token is "=" or "," or "(" or ")" or "[" or "]" or "{" or "}" or "*";

    /// <summary>
    /// The mutated statement, sometimes beside a valid companion in either order: the mutated statement's failure must
    /// stay its own (or refuse the whole batch or transaction).
    /// </summary>
    private JsonArray WithCompanion(JsonObject members, PartiQLStatements generator)
    {
        List<JsonNode> statements = [members];
        if (Chance(0.4))
        {
            (string other, JsonArray otherParameters) = Base(generator);
            JsonObject companion = new() { ["Statement"] = other };
            if (otherParameters.Count > 0) companion["Parameters"] = otherParameters;
            statements.Insert(_r.Next(2), companion);
        }

        return new JsonArray(statements.ToArray());
    }

    private Guid SeededGuid()
    {
        byte[] bytes = new byte[16];
        _r.NextBytes(bytes);
        return new Guid(bytes);
    }

    private (string Statement, JsonArray Parameters) Base(PartiQLStatements generator)
    {
        switch (_r.Next(6))
        {
            case 0:
            {
                PartiQLCase c = generator.Insert();
                return (c.Statement, c.Parameters);
            }
            case 1:
            {
                PartiQLCase c = generator.Update(returning: Chance(0.3));
                return (c.Statement, c.Parameters);
            }
            case 2:
            {
                PartiQLCase c = generator.Delete(returning: Chance(0.3));
                return (c.Statement, c.Parameters);
            }
            case 3:
            {
                PartiQLCase c = generator.Exists();
                return (c.Statement, c.Parameters);
            }
            case 4:
            {
                PartiQLCase c = generator.SelectOne();
                return (c.Statement, c.Parameters);
            }
            default:
            {
                SelectCase c = generator.Select();
                return (c.Statement, c.Parameters);
            }
        }
    }

    private (string Statement, string What) MutateText(string statement)
    {
        List<string> tokens = TokenPattern().Matches(statement).Select(m => m.Value).ToList();
        List<int> solid = Enumerable.Range(0, tokens.Count).Where(i => !string.IsNullOrWhiteSpace(tokens[i])).ToList();
        if (solid.Count == 0)
        {
            return (Pick(Pool), "replaced an empty statement");
        }

        int at = Pick(solid);
        switch (_r.Next(16))
        {
            case 0:
            {
                string gone = tokens[at];
                tokens.RemoveAt(at);
                return (string.Concat(tokens), $"deleted token '{gone}'");
            }
            case 1:
                tokens.Insert(at, tokens[at]);
                return (string.Concat(tokens), $"duplicated token '{tokens[at]}'");
            case 2:
            {
                int other = Pick(solid);
                (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                return (string.Concat(tokens), $"swapped '{tokens[other]}' and '{tokens[at]}'");
            }
            case 3:
            {
                string inserted = Pick(Pool);
                tokens.Insert(at, " " + inserted + " ");
                return (string.Concat(tokens), $"inserted '{inserted}'");
            }
            case 4:
            {
                string old = tokens[at];
                tokens[at] = Pick(Pool);
                return (string.Concat(tokens), $"replaced '{old}' with '{tokens[at]}'");
            }
            case 5:
            {
                int position = _r.Next(statement.Length);
                return (statement.Remove(position, 1), $"deleted character {position}");
            }
            case 6:
            {
                int position = _r.Next(statement.Length + 1);
                string c = Pick(["'", "\"", "(", ")", "[", "]", "{", "}", "<<", ">>", "<", ">", ",", "?", "''"]);
                return (statement.Insert(position, c), $"inserted '{c}' at {position}");
            }
            case 7:
            {
                // Keywords in odd case: every word's letters flipped at random (names too, which may then not match).
                string flipped = string.Concat(tokens.Select(t => t.Length > 0 && char.IsLetter(t[0]) && Chance(0.7)
                    ? new string(t.Select(ch => Chance(0.5) ? char.ToUpperInvariant(ch) : char.ToLowerInvariant(ch)).ToArray())
                    : t));
                return (flipped, "flipped letter case");
            }
            case 8:
            {
                List<int> numbers = solid.Where(i => char.IsAsciiDigit(tokens[i][0])).ToList();
                string odd = Pick(OddNumbers);
                if (numbers.Count > 0)
                {
                    int n = Pick(numbers);
                    tokens[n] = odd;
                }
                else
                {
                    tokens.Insert(at, " " + odd + " ");
                }

                return (string.Concat(tokens), $"odd number {odd}");
            }
            case 9:
            {
                List<int> strings = solid.Where(i => tokens[i][0] == '\'').ToList();
                string odd = Chance(0.05) ? new string('s', 300_000) : Pick(OddStrings);
                string literal = "'" + odd.Replace("'", "''", StringComparison.Ordinal) + "'";
                if (strings.Count > 0)
                {
                    tokens[Pick(strings)] = literal;
                }
                else
                {
                    tokens.Insert(at, literal);
                }

                return (string.Concat(tokens), $"odd string of {odd.Length} chars");
            }
            case 10:
            {
                int cut = _r.Next(statement.Length);
                return (statement[..cut], $"truncated at {cut}");
            }
            case 11:
            {
                // A value nested deep: past DynamoDB's 32 levels, or past the parser's own bound.
                int depth = Pick([31, 33, 40, 199, 201, 5000]);
                bool list = Chance(0.5);
                string nested = list ? new string('[', depth) + "1" + new string(']', depth) : string.Concat(Enumerable.Repeat("{'a':", depth)) + "1" + new string('}', depth);
                List<int> values = solid.Where(i => tokens[i][0] is '\'' or '?' || char.IsAsciiDigit(tokens[i][0])).ToList();
                tokens[values.Count > 0 ? Pick(values) : at] = nested;
                return (string.Concat(tokens), $"a {(list ? "list" : "map")} nested {depth} deep");
            }
            case 12:
            {
                List<int> names = solid.Where(i => tokens[i].StartsWith('"')).ToList();
                string name = Pick(["\"no-such-table\"", "\"\"", "\"" + table + "\".\"byG\"", "\"" + table + "\".\"nope\"", "\"" + new string('t', 300) + "\"", "\"a\"\"b\""]);
                tokens[names.Count > 0 ? names[0] : at] = name;
                return (string.Concat(tokens), $"table renamed {name}");
            }
            case 13:
            {
                // A ? where a literal was, or a literal where a ? was: the parameter count no longer matches.
                List<int> marks = solid.Where(i => tokens[i] == "?").ToList();
                if (marks.Count > 0 && Chance(0.5))
                {
                    tokens[Pick(marks)] = "'lit'";
                    return (string.Concat(tokens), "a parameter made a literal");
                }

                List<int> literals = solid.Where(i => tokens[i][0] == '\'' || char.IsAsciiDigit(tokens[i][0])).ToList();
                tokens[literals.Count > 0 ? Pick(literals) : at] = "?";
                return (string.Concat(tokens), "a literal made a parameter");
            }
            case 14:
            {
                string comment = Pick(["--", "-- x\n", "/* x */", "\n", ";", ";;", "; SELECT * FROM x"]);
                int position = _r.Next(statement.Length + 1);
                return (statement.Insert(position, comment), $"inserted '{comment}'");
            }
            default:
            {
                string junk = string.Concat(Enumerable.Range(0, 1 + _r.Next(6)).Select(_ => " " + Pick(Pool)));
                return (Chance(0.5) ? statement + junk : junk + " " + statement, $"junk '{junk}'");
            }
        }
    }

    private string MutateParameters(JsonArray parameters)
    {
        int roll = _r.Next(6);
        if (roll == 0 && parameters.Count > 0)
        {
            int at = _r.Next(parameters.Count);
            parameters.RemoveAt(at);
            return at == parameters.Count ? "dropped the last parameter" : $"dropped parameter {at}";
        }

        if (roll == 5)
        {
            parameters.Add(new JsonObject { ["S"] = "extra" });
            return "added a valid parameter at the end";
        }

        JsonNode odd = OddValue();
        if (roll == 1 || parameters.Count == 0)
        {
            parameters.Add(odd);
            return "added parameter " + Describe(odd);
        }

        int index = _r.Next(parameters.Count);
        parameters[index] = odd;
        return $"parameter {index} made {Describe(odd)}";
    }

    private static string Describe(JsonNode node)
    {
        string text = node.ToJsonString();
        return text.Length > 120 ? text[..120] + "..." : text;
    }

    private JsonNode OddValue()
    {
        switch (_r.Next(24))
        {
            case 0: return new JsonObject { ["N"] = Pick(OddNumbers) };
            case 1: return new JsonObject { ["S"] = Pick(OddStrings) };
            case 2: return new JsonObject { ["S"] = 1 };
            case 3: return new JsonObject { ["SS"] = new JsonArray() };
            case 4: return new JsonObject { ["SS"] = new JsonArray("a", "a") };
            case 5: return new JsonObject { ["NS"] = new JsonArray("1", "1.0") };
            case 6: return new JsonObject { ["B"] = Pick(["!!", "", "AA==", "A"]) };
            case 7: return new JsonObject();
            case 8: return new JsonObject { ["S"] = "x", ["N"] = "1" };
            case 9: return new JsonObject { ["M"] = new JsonObject { [""] = new JsonObject { ["S"] = "x" } } };
            case 10:
            {
                // 33 and more levels of nesting in one parameter.
                JsonNode value = new JsonObject { ["N"] = "1" };
                int depth = Pick([31, 32, 33, 64]);
                for (int i = 0; i < depth; i++)
                {
                    value = Chance(0.5) ? new JsonObject { ["L"] = new JsonArray(value) } : new JsonObject { ["M"] = new JsonObject { ["a"] = value } };
                }

                return value;
            }
            case 11: return new JsonObject { ["NULL"] = false };
            case 12: return new JsonObject { ["BOOL"] = "x" };
            case 13: return new JsonObject { ["S"] = new string('x', Pick([1024, 2049, 70_000, 410_000])) };
            case 14: return new JsonObject { ["L"] = new JsonArray() };
            case 15: return new JsonObject { ["M"] = new JsonObject() };
            case 16: return new JsonObject { ["BS"] = new JsonArray("AA==", "AA==") };
            case 17: return new JsonObject { ["N"] = 5 };
            case 18: return JsonValue.Create("bare")!;
            case 19: return new JsonArray();
            case 20: return new JsonObject { ["X"] = "1" };
            case 21: return new JsonObject { ["S"] = "p1" };
            case 22: return new JsonObject { ["N"] = _r.Next(-3, 8).ToString(CultureInfo.InvariantCulture) };
            default: return new JsonObject { ["M"] = new JsonObject { ["pk"] = new JsonObject { ["S"] = "p9" }, ["sk"] = new JsonObject { ["N"] = "1" } } };
        }
    }
}
