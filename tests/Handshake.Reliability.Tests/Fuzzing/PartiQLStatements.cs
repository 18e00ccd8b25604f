using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// One PartiQL statement with its parameters, and the native request that should do the same thing on the twin table:
/// the differential fuzz sends the first to table A and the second to table B.
/// </summary>
internal sealed record PartiQLCase(string Kind, string Statement, JsonArray Parameters, string NativeOperation, JsonObject Native)
{
    /// <summary>The statement's own members, as ExecuteStatement, a BatchStatementRequest or a ParameterizedStatement take them.</summary>
    public JsonObject Members()
    {
        JsonObject members = new() { ["Statement"] = Statement };
        if (Parameters.Count > 0)
        {
            members["Parameters"] = Parameters.DeepClone();
        }

        return members;
    }

    /// <summary>The (pk, sk) a write or EXISTS names, when both are well-typed; null otherwise.</summary>
    public (string Pk, string Sk)? Key { get; init; }

    /// <summary>A write whose key values have the wrong type or are empty: AWS's answers for it are not pinned (see report).</summary>
    public bool OddKey { get; init; }

    public override string ToString() => $"{Kind}: {Statement} with {Parameters.ToJsonString()}";
}

/// <summary>A SELECT and the native reads (Query per partition, or a Scan) that return the same items.</summary>
internal sealed record SelectCase(string Statement, JsonArray Parameters, List<JsonObject> NativeReads, string NativeOperation, bool Ordered, int? Limit, bool Consistent)
{
    /// <summary>Equality on the table's whole key: read as GetItem, one page whatever the Limit.</summary>
    public bool PointRead { get; init; }

    public override string ToString() => $"SELECT (limit {Limit?.ToString(CultureInfo.InvariantCulture) ?? "none"}, consistent {Consistent}): {Statement} with {Parameters.ToJsonString()}";
}

/// <summary>
/// Seeded generators of PartiQL statements over one schema: table key pk (S) + sk (N), the indexes of
/// <see cref="KeySpaces"/>, and other attributes cnt (N), txt (S), lst (L), mp (M), tags (SS), flag (BOOL), bin (B),
/// nul (NULL) and "dot.ted" (S, a name PartiQL must quote). Keys come
/// from a small space (4 partitions x 6 sort keys) so that inserts collide and updates find items. Values are written
/// as literals or as <c>?</c> parameters at random, at any depth.
/// </summary>
internal sealed class PartiQLStatements(Random random, string table, string nativeTable)
{
    public const string Index = "byG";

    /// <summary>
    /// The key spaces a SELECT may read: the table, the GSI byG (g + r, ALL), the LSI byL (pk + cnt, INCLUDE txt: a
    /// SELECT * fetches the rest from the table), the GSI byK (txt alone, KEYS_ONLY) and the GSI byS (g + txt, INCLUDE
    /// cnt: a string sort key, for begins_with and string ranges).
    /// </summary>
    internal sealed record KeySpace(string? Name, string Hash, string? Range, bool Global);

    public static readonly KeySpace[] KeySpaces =
    [
        new(null, "pk", "sk", false), new("byG", "g", "r", true), new("byL", "pk", "cnt", false), new("byK", "txt", null, true),
        new("byS", "g", "txt", true),
    ];
    public static readonly string[] Partitions = ["p0", "p1", "p2", "p3"];
    public static readonly string[] GsiKeys = ["ga", "gb", "gc"];

    private readonly Random _r = random;

    /// <summary>The parameters of the statement being built, in the order their <c>?</c> appear.</summary>
    private JsonArray _parameters = [];

    // ---- values (DynamoDB JSON) ----

    public static JsonObject S(string s) => new() { ["S"] = s };

    public static JsonObject N(string n) => new() { ["N"] = n };

    private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

    private bool Chance(double p) => _r.NextDouble() < p;

    // Strings whose UTF-8 order differs from their UTF-16 order (an emoji against a fullwidth letter) among them.
    private string SmallString() => Chance(0.1)
        ? Pick(["\ud83d\ude00", "\uff5a", "a\tb", "\u00e9\u0301", "\u4e2d"])
        : Pick(["a", "ab", "abc", "b", "ba", "x", "", "zz", "é", "a'b", "\"q\""]);

    // Rarely a number at the edge of DynamoDB's range, so arithmetic may overflow.
    private string SmallNumber() => Chance(0.03)
        ? Pick(["9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125", "1E-130", "12345678901234567890123456789012345678"])
        : Pick(["0", "1", "2", "3", "5", "-1", "1.5", "10", "100", "-2.25", "1e2", "007"]);

    private JsonObject Scalar() => _r.Next(4) switch
    {
        0 => S(SmallString()),
        1 => N(SmallNumber()),
        2 => new JsonObject { ["BOOL"] = Chance(0.5) },
        _ => Chance(0.5) ? S(SmallString()) : N(SmallNumber()),
    };

    private JsonObject ValueOfType(string attribute) => attribute switch
    {
        "cnt" or "r" => N(SmallNumber()),
        "txt" or "g" or "dot.ted" => attribute == "g" ? S(Pick(GsiKeys)) : S(SmallString()),
        "lst" => new JsonObject { ["L"] = new JsonArray(Enumerable.Range(0, _r.Next(4)).Select(_ => (JsonNode)Scalar()).ToArray()) },
        "mp" => new JsonObject
        {
            ["M"] = new JsonObject { ["x"] = N(SmallNumber()), ["y"] = S(SmallString()) },
        },
        "tags" => new JsonObject { ["SS"] = new JsonArray(new[] { "a", "b", "c" }.Where(_ => Chance(0.6)).DefaultIfEmpty("d").Select(t => (JsonNode)t!).ToArray()) },
        "flag" => new JsonObject { ["BOOL"] = Chance(0.5) },
        "bin" => new JsonObject { ["B"] = Convert.ToBase64String(new[] { (byte)_r.Next(256), (byte)_r.Next(256) }) },
        _ => new JsonObject { ["NULL"] = true },
    };

    /// <summary>
    /// A value written into a statement: a <c>?</c> bound to it (always for binary, which has no literal), or its
    /// literal, whose lists and maps may hold parameters in turn.
    /// </summary>
    public string Render(JsonObject value, double parameterChance = 0.35)
    {
        string type = value.First().Key;
        JsonNode content = value.First().Value!;
        if (type is "B" or "BS" || Chance(parameterChance))
        {
            _parameters.Add(value.DeepClone());
            return "?";
        }

        return type switch
        {
            "S" => "'" + content.GetValue<string>().Replace("'", "''", StringComparison.Ordinal) + "'",
            "N" => content.GetValue<string>(),
            "BOOL" => content.GetValue<bool>() ? Pick(["TRUE", "true", "True"]) : Pick(["FALSE", "false"]),
            "NULL" => Pick(["NULL", "null"]),
            "L" => "[" + string.Join(", ", content.AsArray().Select(e => Render(e!.AsObject(), parameterChance))) + "]",
            "M" => "{" + string.Join(", ", content.AsObject().Select(p => "'" + p.Key.Replace("'", "''", StringComparison.Ordinal) + "': " + Render(p.Value!.AsObject(), parameterChance))) + "}",
            "SS" => "<<" + string.Join(", ", content.AsArray().Select(e => "'" + e!.GetValue<string>().Replace("'", "''", StringComparison.Ordinal) + "'")) + ">>",
            "NS" => "<<" + string.Join(", ", content.AsArray().Select(e => e!.GetValue<string>())) + ">>",
            _ => throw new InvalidOperationException(type),
        };
    }

    // ---- paths ----

    /// <summary>A path in both languages: PartiQL text (names bare or double-quoted) and an expression with #names.</summary>
    private sealed record Path(string Top, string[] Segments)
    {
        // A name that is not an identifier is always double-quoted; a nested name is sometimes written ['name'].
        public string PartiQL(Random r) => string.Concat(Segments.Select((s, i) => s.StartsWith('[')
            ? s
            : i > 0 && r.Next(4) == 0 ? "['" + s + "']"
            : (i == 0 ? "" : ".") + (r.Next(3) == 0 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "\"" + s + "\"" : s)));

        public string Expression(Names names) => string.Concat(Segments.Select((s, i) => s.StartsWith('[') ? s : (i == 0 ? "" : ".") + names.Of(s)));
    }

    private static Path P(params string[] segments) => new(segments[0], segments);

    /// <summary>ExpressionAttributeNames and Values of one native request (every name goes through #, so no reserved word bites).</summary>
    internal sealed class Names
    {
        public JsonObject AttributeNames { get; } = [];
        public JsonObject AttributeValues { get; } = [];

        public string Of(string name)
        {
            foreach (KeyValuePair<string, JsonNode?> p in AttributeNames)
            {
                if (p.Value!.GetValue<string>() == name)
                {
                    return p.Key;
                }
            }

            string key = "#n" + AttributeNames.Count.ToString(CultureInfo.InvariantCulture);
            AttributeNames[key] = name;
            return key;
        }

        public string Value(JsonObject value)
        {
            string key = ":v" + AttributeValues.Count.ToString(CultureInfo.InvariantCulture);
            AttributeValues[key] = value.DeepClone();
            return key;
        }

        public void AddTo(JsonObject request)
        {
            if (AttributeNames.Count > 0)
            {
                request["ExpressionAttributeNames"] = AttributeNames.DeepClone();
            }

            if (AttributeValues.Count > 0)
            {
                request["ExpressionAttributeValues"] = AttributeValues.DeepClone();
            }
        }
    }

    // ---- conditions ----

    /// <summary>A condition rendered in both languages at once (so each value is rendered once, in one order).</summary>
    private (string PartiQL, string Expression) Condition(Names names, int depth, bool keysAllowed, string[]? exclude = null)
    {
        int kind = depth > 0 ? _r.Next(14) : _r.Next(11);
        switch (kind)
        {
            case 11:
            {
                var (lp, le) = Condition(names, depth - 1, keysAllowed, exclude);
                var (rp, re) = Condition(names, depth - 1, keysAllowed, exclude);
                bool and = Chance(0.5);
                // The expression side is never wrapped at its top: whoever combines it wraps it once, as
                // DynamoDB refuses doubled parentheses ("The expression has redundant parentheses").
                return ($"({lp} {(and ? Pick(["AND", "and", "And"]) : Pick(["OR", "or"]))} {rp})", $"({le}) {(and ? "AND" : "OR")} ({re})");
            }
            case 12:
            {
                var (p, e) = Condition(names, depth - 1, keysAllowed, exclude);
                return ($"NOT ({p})", $"NOT ({e})");
            }
            case 13:
            {
                var (p, e) = Condition(names, depth - 1, keysAllowed, exclude);
                return ($"({p})", e);
            }
        }

        Path path = Pick((keysAllowed
            // Not pk: an equality or IN on it at the top of a Scan's WHERE would make the read a Query (README).
            ? new[] { P("cnt"), P("txt"), P("mp", "x"), P("mp", "y"), P("lst", "[0]"), P("flag"), P("tags"), P("r"), P("g"), P("sk"), P("dot.ted") }
            : new[] { P("cnt"), P("txt"), P("mp", "x"), P("mp", "y"), P("lst", "[0]"), P("flag"), P("tags"), P("nul"), P("dot.ted") })
            .Where(p => exclude?.Contains(p.Top) != true).ToArray());
        string pq = path.PartiQL(_r);
        string ex = path.Expression(names);
        switch (kind)
        {
            case 0:
            case 1:
            {
                // Ordering comparisons only on scalar operands of a comparable type: DynamoDB refuses < on a map.
                JsonObject value = Chance(0.5) ? N(SmallNumber()) : S(SmallString());
                string op = Pick(["=", "<>", "!=", "<", "<=", ">", ">="]);
                string v = Render(value);
                string exOp = op == "!=" ? "<>" : op;
                return Chance(0.8) ? ($"{pq} {op} {v}", $"{ex} {exOp} {names.Value(value)}") : ($"{v} {Mirror(op)} {pq}", $"{names.Value(value)} {Mirror(exOp)} {ex}");
            }
            case 2:
            {
                JsonObject value = ValueOfType(path.Top);
                string op = Pick(["=", "<>"]);
                return ($"{pq} {op} {Render(value)}", $"{ex} {op} {names.Value(value)}");
            }
            case 3:
            {
                // BETWEEN with its bounds in order: a reversed pair is an error natively, and what PartiQL answers is not pinned.
                bool numbers = Chance(0.6);
                string[] bounds = numbers
                    ? new[] { SmallNumber(), SmallNumber() }.OrderBy(n => double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()
                    : new[] { SmallString(), SmallString() }.OrderBy(s => Encoding.UTF8.GetBytes(s), ByteOrder.Instance).ToArray();
                JsonObject lo = numbers ? N(bounds[0]) : S(bounds[0]);
                JsonObject hi = numbers ? N(bounds[1]) : S(bounds[1]);
                if (lo.ToJsonString() == hi.ToJsonString())
                {
                    return ($"{pq} = {Render(lo)}", $"{ex} = {names.Value(lo)}");
                }

                string p = $"{pq} {Pick(["BETWEEN", "between"])} {Render(lo)} AND {Render(hi)}";
                return (p, $"{ex} BETWEEN {names.Value(lo)} AND {names.Value(hi)}");
            }
            case 4:
            {
                JsonObject[] values = Enumerable.Range(0, 1 + _r.Next(3)).Select(_ => Chance(0.5) ? S(SmallString()) : N(SmallNumber())).ToArray();
                bool brackets = Chance(0.5);
                string list = string.Join(", ", values.Select(v => Render(v)));
                return ($"{pq} IN {(brackets ? "[" + list + "]" : "(" + list + ")")}", $"{ex} IN ({string.Join(", ", values.Select(names.Value))})");
            }
            case 5:
            {
                JsonObject prefix = S(Pick(["a", "b", "", "ab", "z"]));
                return ($"begins_with({pq}, {Render(prefix)})", $"begins_with({ex}, {names.Value(prefix)})");
            }
            case 6:
            {
                JsonObject needle = Chance(0.5) ? S(Pick(["a", "b", "c", "x"])) : N(SmallNumber());
                return ($"contains({pq}, {Render(needle)})", $"contains({ex}, {names.Value(needle)})");
            }
            case 7:
            {
                bool not = Chance(0.5);
                return ($"{pq} IS {(not ? "NOT " : "")}{Pick(["MISSING", "missing"])}", not ? $"attribute_exists({ex})" : $"attribute_not_exists({ex})");
            }
            case 8:
            {
                (string word, string type) = Pick(new[] { ("STRING", "S"), ("NUMERIC", "N"), ("LIST", "L"), ("STRUCT", "M"), ("BOOLEAN", "BOOL"), ("NULL", "NULL"), ("BLOB", "B") });
                bool not = Chance(0.3);
                string test = $"attribute_type({ex}, {names.Value(S(type))})";
                return ($"{pq} IS {(not ? "NOT " : "")}{word}", not ? $"NOT {test}" : test);
            }
            case 9:
            {
                JsonObject n = N(Pick(["0", "1", "2", "3"]));
                string op = Pick(["=", "<", ">", ">="]);
                return ($"size({pq}) {op} {Render(n)}", $"size({ex}) {op} {names.Value(n)}");
            }
            default:
            {
                JsonObject type = S(Pick(["S", "N", "L", "M", "SS"]));
                return ($"attribute_type({pq}, {Render(type)})", $"attribute_type({ex}, {names.Value(type)})");
            }
        }
    }

    private static string Mirror(string op) => op switch
    {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        _ => op,
    };

    // ---- keys ----

    private (JsonObject Pk, JsonObject Sk, bool Odd) KeyValues()
    {
        JsonObject pk = S(Pick(Partitions));
        JsonObject sk = N(_r.Next(6).ToString(CultureInfo.InvariantCulture));
        bool odd = false;
        if (Chance(0.04))
        {
            // A key of the wrong type or empty: refused by both, with whatever error each path gives.
            odd = true;
            if (Chance(0.5))
            {
                pk = Chance(0.5) ? N("1") : S("");
            }
            else
            {
                sk = S("1");
            }
        }

        return (pk, sk, odd);
    }

    private static JsonObject KeyObject(JsonObject pk, JsonObject sk) => new() { ["pk"] = pk.DeepClone(), ["sk"] = sk.DeepClone() };

    /// <summary>
    /// The WHERE clause of a write: both key equalities (either side of =, in either order) and the extra condition
    /// before or after them. Each part is rendered where it stands in the text, so its ? parameters stay in order.
    /// </summary>
    private string KeyWhere(JsonObject pk, JsonObject sk, Func<string>? extra)
    {
        string Term(string name, JsonObject value) => Chance(0.85) ? $"{Pick([name, Quote(name)])} = {Render(value)}" : $"{Render(value)} = {name}";
        List<string> parts = [];
        bool extraFirst = extra is not null && Chance(0.3);
        if (extraFirst)
        {
            parts.Add(extra!());
        }

        if (Chance(0.5))
        {
            parts.Add(Term("pk", pk));
            parts.Add(Term("sk", sk));
        }
        else
        {
            parts.Add(Term("sk", sk));
            parts.Add(Term("pk", pk));
        }

        if (extra is not null && !extraFirst)
        {
            parts.Add(extra());
        }

        return string.Join(Pick([" AND ", " and "]), parts);
    }

    private static string Quote(string name) => "\"" + name + "\"";

    // A bare table name only where it is an identifier (a name with '-' must be quoted).
    private string TableName(string name) => Chance(0.85) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? Quote(name) : name;

    // ---- writes ----

    private JsonObject Item(JsonObject pk, JsonObject sk)
    {
        JsonObject item = new() { ["pk"] = pk.DeepClone(), ["sk"] = sk.DeepClone() };
        foreach (string attribute in new[] { "cnt", "txt", "lst", "mp", "tags", "flag", "g", "r", "bin", "nul", "dot.ted" })
        {
            if (Chance(0.55))
            {
                item[attribute] = ValueOfType(attribute);
            }
        }

        if (item.ContainsKey("g") && Chance(0.05))
        {
            // An index key of the wrong type: both refuse the write.
            item["g"] = N("7");
        }

        return item;
    }

    public PartiQLCase Insert()
    {
        _parameters = [];
        (JsonObject pk, JsonObject sk, bool odd) = KeyValues();
        JsonObject item = Item(pk, sk);
        string text;
        if (Chance(0.15))
        {
            // The whole item as one parameter.
            _parameters.Add(new JsonObject { ["M"] = item.DeepClone() });
            text = "?";
        }
        else
        {
            // Entries in a shuffled order: a tuple's order does not matter.
            text = "{" + string.Join(", ", item.OrderBy(_ => _r.Next()).Select(p => "'" + p.Key + "': " + Render(p.Value!.AsObject()))) + "}";
        }

        string statement = $"{Pick(["INSERT", "insert", "Insert"])} {Pick(["INTO", "into"])} {TableName(table)} {Pick(["VALUE", "value"])} {text}";
        Names names = new();
        JsonObject native = new()
        {
            ["TableName"] = nativeTable,
            ["Item"] = item.DeepClone(),
            ["ConditionExpression"] = $"attribute_not_exists({names.Of("pk")})",
        };
        names.AddTo(native);
        return new PartiQLCase("INSERT", statement, _parameters, "PutItem", native) { Key = odd ? null : (pk["S"]!.GetValue<string>(), sk["N"]!.GetValue<string>()), OddKey = odd };
    }

    public PartiQLCase Update(bool returning)
    {
        _parameters = [];
        (JsonObject pk, JsonObject sk, bool odd) = KeyValues();
        Names names = new();
        List<string> pqSet = [];
        List<string> pqRemove = [];
        List<string> exSet = [];
        List<string> exRemove = [];
        List<string> exAdd = [];
        List<string> exDelete = [];
        HashSet<string> used = [];
        int actions = 1 + _r.Next(3);
        // Rendering order matters for parameters: the SET/REMOVE text is built left to right here.
        List<string> clauses = [];
        for (int i = 0; i < actions; i++)
        {
            string[] attributes = ["cnt", "txt", "lst", "mp", "tags", "flag", "g", "r", "nul", "dot.ted"];
            string attribute = Pick(attributes);
            if (!used.Add(attribute) && !Chance(0.05))
            {
                continue;
            }

            if (Chance(0.02))
            {
                attribute = Pick(["pk", "sk"]); // a key attribute: both refuse it
            }

            string a = Chance(0.3) || attribute.Contains('.', StringComparison.Ordinal) ? Quote(attribute) : attribute;
            string n = names.Of(attribute);
            int form = _r.Next(10);
            if (form == 0)
            {
                pqRemove.Add(a);
                exRemove.Add(n);
                clauses.Add("REMOVE " + a);
                continue;
            }

            switch (attribute, form)
            {
                case ("cnt" or "r", <= 3):
                {
                    JsonObject delta = N(SmallNumber());
                    string op = Chance(0.7) ? "+" : "-";
                    string v = Render(delta);
                    clauses.Add($"SET {a} = {a} {op} {v}");
                    exSet.Add($"{n} = {n} {op} {names.Value(delta)}");
                    break;
                }
                case ("cnt" or "r", 4):
                {
                    JsonObject start = N(SmallNumber());
                    JsonObject delta = N(SmallNumber());
                    string v1 = Render(start);
                    string v2 = Render(delta);
                    clauses.Add($"SET {a} = if_not_exists({a}, {v1}) + {v2}");
                    exSet.Add($"{n} = if_not_exists({n}, {names.Value(start)}) + {names.Value(delta)}");
                    break;
                }
                case ("lst", <= 4):
                {
                    JsonObject more = ValueOfType("lst");
                    string v = Render(more);
                    bool front = Chance(0.3);
                    clauses.Add(front ? $"SET {a} = list_append({v}, {a})" : $"SET {a} = list_append({a}, {v})");
                    string ev = names.Value(more);
                    exSet.Add(front ? $"{n} = list_append({ev}, {n})" : $"{n} = list_append({n}, {ev})");
                    break;
                }
                case ("lst", 5):
                {
                    JsonObject value = Scalar();
                    string index = "[" + _r.Next(3).ToString(CultureInfo.InvariantCulture) + "]";
                    clauses.Add($"SET {a}{index} = {Render(value)}");
                    exSet.Add($"{n}{index} = {names.Value(value)}");
                    break;
                }
                case ("lst", 6):
                {
                    string index = "[" + _r.Next(3).ToString(CultureInfo.InvariantCulture) + "]";
                    clauses.Add($"REMOVE {a}{index}");
                    exRemove.Add(n + index);
                    break;
                }
                case ("mp", <= 4):
                {
                    string member = Pick(["x", "y", "z"]);
                    JsonObject value = Scalar();
                    clauses.Add($"SET {a}.{member} = {Render(value)}");
                    exSet.Add($"{n}.{names.Of(member)} = {names.Value(value)}");
                    break;
                }
                case ("tags", <= 5):
                {
                    JsonObject set = new() { ["SS"] = new JsonArray(new[] { "a", "b", "c", "e" }.Where(_ => Chance(0.5)).DefaultIfEmpty("f").Select(t => (JsonNode)t!).ToArray()) };
                    bool add = Chance(0.6);
                    clauses.Add($"SET {a} = {(add ? "set_add" : "set_delete")}({a}, {Render(set)})");
                    (add ? exAdd : exDelete).Add($"{n} {names.Value(set)}");
                    break;
                }
                case ("txt", 1):
                {
                    // Arithmetic on a string: an operand of the wrong type for both, when txt exists.
                    JsonObject one = N("1");
                    clauses.Add($"SET {a} = {a} + {Render(one)}");
                    exSet.Add($"{n} = {n} + {names.Value(one)}");
                    break;
                }
                default:
                {
                    JsonObject value = Chance(0.9) ? ValueOfType(attribute) : Scalar();
                    clauses.Add($"SET {a} = {Render(value)}");
                    exSet.Add($"{n} = {names.Value(value)}");
                    break;
                }
            }
        }

        if (clauses.Count == 0)
        {
            JsonObject value = S("fallback");
            clauses.Add($"SET txt = {Render(value)}");
            exSet.Add($"{names.Of("txt")} = {names.Value(value)}");
        }

        // Consecutive SETs may share one SET keyword (a, b) or repeat it (SET a = .. SET b = ..); both parse.
        StringBuilder actionsText = new();
        string? previous = null;
        foreach (string clause in clauses)
        {
            string keyword = clause.StartsWith("SET ", StringComparison.Ordinal) ? "SET" : "REMOVE";
            string body = clause[(keyword.Length + 1)..];
            actionsText.Append(previous == keyword && Chance(0.6) ? ", " + body : " " + (Chance(0.2) ? keyword.ToLowerInvariant() : keyword) + " " + body);
            previous = keyword;
        }

        string? extraEx = null;
        Func<string>? extra = Chance(0.35) ? () => { (string pq, extraEx) = Condition(names, 1, keysAllowed: false); return "(" + pq + ")"; } : null;
        string where = KeyWhere(pk, sk, extra);
        string returnClause = "";
        string returnValues = "NONE";
        if (returning)
        {
            (returnClause, returnValues) = Pick(new[] { (" RETURNING ALL OLD *", "ALL_OLD"), (" RETURNING MODIFIED OLD *", "UPDATED_OLD"), (" RETURNING ALL NEW *", "ALL_NEW"), (" RETURNING MODIFIED NEW *", "UPDATED_NEW") });
        }

        string statement = $"{Pick(["UPDATE", "update"])} {TableName(table)}{actionsText} {Pick(["WHERE", "where"])} {where}{returnClause}";
        List<string> sections = [];
        if (exSet.Count > 0) sections.Add("SET " + string.Join(", ", exSet));
        if (exRemove.Count > 0) sections.Add("REMOVE " + string.Join(", ", exRemove));
        if (exAdd.Count > 0) sections.Add("ADD " + string.Join(", ", exAdd));
        if (exDelete.Count > 0) sections.Add("DELETE " + string.Join(", ", exDelete));
        string condition = $"attribute_exists({names.Of("pk")})" + (extraEx is null ? "" : $" AND ({extraEx})");
        JsonObject native = new()
        {
            ["TableName"] = nativeTable,
            ["Key"] = KeyObject(pk, sk),
            ["UpdateExpression"] = string.Join(" ", sections),
            ["ConditionExpression"] = condition,
            ["ReturnValues"] = returnValues,
        };
        names.AddTo(native);
        return new PartiQLCase("UPDATE", statement, _parameters, "UpdateItem", native) { Key = odd ? null : (pk["S"]!.GetValue<string>(), sk["N"]!.GetValue<string>()), OddKey = odd };
    }

    public PartiQLCase Delete(bool returning)
    {
        _parameters = [];
        (JsonObject pk, JsonObject sk, bool odd) = KeyValues();
        Names names = new();
        string? extraEx = null;
        Func<string>? extra = Chance(0.4) ? () => { (string pq, extraEx) = Condition(names, 1, keysAllowed: false); return "(" + pq + ")"; } : null;
        string statement = $"{Pick(["DELETE", "delete"])} FROM {TableName(table)} WHERE {KeyWhere(pk, sk, extra)}{(returning ? " RETURNING ALL OLD *" : "")}";
        JsonObject native = new()
        {
            ["TableName"] = nativeTable,
            ["Key"] = KeyObject(pk, sk),
            ["ReturnValues"] = returning ? "ALL_OLD" : "NONE",
        };
        if (extraEx is not null)
        {
            // The condition holds of an existing item only: deleting a missing item succeeds (README, PartiQL).
            native["ConditionExpression"] = $"attribute_not_exists({names.Of("pk")}) OR ({extraEx})";
        }

        names.AddTo(native);
        return new PartiQLCase("DELETE", statement, _parameters, "DeleteItem", native) { Key = odd ? null : (pk["S"]!.GetValue<string>(), sk["N"]!.GetValue<string>()), OddKey = odd };
    }

    /// <summary>A transaction's EXISTS check and the ConditionCheck it amounts to (the native member is the ConditionCheck).</summary>
    public PartiQLCase Exists()
    {
        _parameters = [];
        (JsonObject pk, JsonObject sk, bool odd) = KeyValues();
        Names names = new();
        string? extraEx = null;
        Func<string>? extra = Chance(0.6) ? () => { (string pq, extraEx) = Condition(names, 1, keysAllowed: false); return "(" + pq + ")"; } : null;
        string statement = $"EXISTS(SELECT * FROM {TableName(table)} WHERE {KeyWhere(pk, sk, extra)})";
        JsonObject native = new()
        {
            ["TableName"] = nativeTable,
            ["Key"] = KeyObject(pk, sk),
            ["ConditionExpression"] = $"attribute_exists({names.Of("pk")})" + (extraEx is null ? "" : $" AND ({extraEx})"),
        };
        names.AddTo(native);
        return new PartiQLCase("EXISTS", statement, _parameters, "ConditionCheck", native) { Key = odd ? null : (pk["S"]!.GetValue<string>(), sk["N"]!.GetValue<string>()), OddKey = odd };
    }

    /// <summary>A SELECT that names one item (for BatchExecuteStatement and read transactions) and its GetItem.</summary>
    public PartiQLCase SelectOne()
    {
        _parameters = [];
        JsonObject pk = S(Pick(Partitions));
        JsonObject sk = N(_r.Next(6).ToString(CultureInfo.InvariantCulture));
        string projection = Chance(0.6) ? "*" : "pk, sk, cnt, txt";
        string statement = $"SELECT {projection} FROM {TableName(table)} WHERE {KeyWhere(pk, sk, null)}";
        JsonObject native = new() { ["TableName"] = nativeTable, ["Key"] = KeyObject(pk, sk), ["ConsistentRead"] = true };
        if (projection != "*")
        {
            Names names = new();
            native["ProjectionExpression"] = string.Join(", ", new[] { "pk", "sk", "cnt", "txt" }.Select(names.Of));
            names.AddTo(native);
        }

        return new PartiQLCase("SELECT", statement, _parameters, "GetItem", native) { Key = (pk["S"]!.GetValue<string>(), sk["N"]!.GetValue<string>()) };
    }

    // ---- SELECT ----

    public SelectCase Select()
    {
        _parameters = [];
        _rangeEquality = false;
        Names names = new();
        KeySpace space = Chance(0.6) ? KeySpaces[0] : Pick(KeySpaces);
        bool onIndex = space.Name is not null;
        string from = TableName(table) + (onIndex ? "." + Quote(space.Name!) : "");
        string projectionPq = "*";
        string? projectionEx = null;
        if (Chance(0.4))
        {
            Path[] all = [P("pk"), P("sk"), P("cnt"), P("txt"), P("mp", "x"), P("lst", "[0]"), P("tags"), P("g"), P("r"), P("flag"), P("dot.ted")];
            Path[] chosen = all.Where(_ => Chance(0.4)).DefaultIfEmpty(P("cnt")).ToArray();
            projectionPq = string.Join(", ", chosen.Select(p => p.PartiQL(_r)));
            projectionEx = string.Join(", ", chosen.Select(p => p.Expression(names)));
        }

        string hashName = space.Hash;
        string? rangeName = space.Range;
        // A shape needing a sort key falls back to a one-partition Query on a key space without one.
        int shape = _r.Next(onIndex ? 3 : 5);
        if (shape == 3 && rangeName is null) shape = 0;
        int? limit = Chance(0.6) ? 1 + _r.Next(5) : null;
        bool consistent = !space.Global && Chance(0.3);
        string[] hashPool = hashName switch { "g" => GsiKeys, "txt" => ["a", "ab", "abc", "b", "ba", "x", "zz"], _ => Partitions };
        List<string> where = [];
        JsonObject? scanPk = null;
        string? keyCondition = null;
        List<JsonObject> partitions = [];
        string? order = null;
        bool forward = true;
        // shape 0: a Query on one partition; 1: IN over several; 2: a Scan; 3: the whole key (a GetItem); 4: a Scan with key terms.
        if (shape is 0 or 3)
        {
            JsonObject hash = S(Pick(hashPool));
            partitions.Add(hash);
            where.Add($"{hashName} = {Render(hash)}");
            string hashEx = $"{names.Of(hashName)} = :hash";
            keyCondition = hashEx;
            if (shape == 3)
            {
                JsonObject range = N(_r.Next(6).ToString(CultureInfo.InvariantCulture));
                where.Add($"{rangeName} = {Render(range)}");
                keyCondition += $" AND {names.Of(rangeName!)} = {names.Value(range)}";
            }
            else if (rangeName is not null && Chance(0.6))
            {
                (string pq, string ex) = RangeTerm(rangeName, names);
                where.Add(pq);
                keyCondition += " AND " + ex;
            }

            if (shape == 0 && rangeName is not null && Chance(0.3))
            {
                bool desc = Chance(0.6);
                order = $" ORDER BY {rangeName}{(desc ? " DESC" : Pick(["", " ASC"]))}";
                forward = !desc;
            }
        }
        else if (shape == 1)
        {
            JsonObject[] values = Enumerable.Range(0, 1 + _r.Next(4)).Select(_ => S(Pick(hashPool))).ToArray();
            bool brackets = Chance(0.5);
            where.Add($"{hashName} IN {(brackets ? "[" : "(")}{string.Join(", ", values.Select(v => Render(v)))}{(brackets ? "]" : ")")}");
            // One Query per distinct value, in the list's order (README, PartiQL).
            foreach (JsonObject v in values)
            {
                if (!partitions.Any(p => p.ToJsonString() == v.ToJsonString()))
                {
                    partitions.Add(v);
                }
            }

            keyCondition = $"{names.Of(hashName)} = :hash";
            if (rangeName is not null && Chance(0.4))
            {
                (string pq, string ex) = RangeTerm(rangeName, names);
                where.Add(pq);
                keyCondition += " AND " + ex;
            }

            if (Chance(0.3))
            {
                // ORDER BY the partition key sorts the partitions (strings by their bytes); each is read forward.
                order = $" ORDER BY {hashName}";
                partitions = partitions.OrderBy(p => Encoding.UTF8.GetBytes(p["S"]!.GetValue<string>()), ByteOrder.Instance).ToList();
            }
        }
        else if (shape == 4)
        {
            // Key terms that decide nothing (an inequality on the partition key): a Scan with the whole clause as filter.
            scanPk = S(Pick(Partitions));
            where.Add($"pk <> {Render(scanPk)}");
        }

        // The rest is a filter: on a Query it must not name the key space's key attributes (DynamoDB refuses that).
        string? filterEx = null;
        bool scan = keyCondition is null;
        if (Chance(scan ? 0.8 : 0.5))
        {
            (string pq, string ex) = Condition(names, 1, keysAllowed: scan && !onIndex, exclude: scan ? null : [space.Hash, space.Range ?? space.Hash]);
            where.Add(Chance(0.5) ? pq : "(" + pq + ")");
            filterEx = ex;
        }

        if (scanPk is not null)
        {
            // The native Scan filters on the same partition key inequality.
            string pkEx = $"{names.Of("pk")} <> {names.Value(scanPk)}";
            filterEx = filterEx is null ? pkEx : $"{pkEx} AND ({filterEx})";
        }

        string whereText = where.Count == 0 ? "" : " WHERE " + string.Join(Pick([" AND ", " and "]), where);
        string statement = $"SELECT {projectionPq} FROM {from}{whereText}{order ?? ""}";

        List<JsonObject> reads = [];
        if (keyCondition is null)
        {
            JsonObject scanRequest = new() { ["TableName"] = nativeTable, ["ConsistentRead"] = consistent };
            if (onIndex) scanRequest["IndexName"] = space.Name;
            if (filterEx is not null) scanRequest["FilterExpression"] = filterEx;
            if (projectionEx is not null) scanRequest["ProjectionExpression"] = projectionEx;
            names.AddTo(scanRequest);
            reads.Add(scanRequest);
        }
        else
        {
            foreach (JsonObject partition in partitions)
            {
                JsonObject query = new()
                {
                    ["TableName"] = nativeTable,
                    ["KeyConditionExpression"] = keyCondition,
                    ["ScanIndexForward"] = forward,
                    ["ConsistentRead"] = consistent,
                };
                if (onIndex) query["IndexName"] = space.Name;
                if (filterEx is not null) query["FilterExpression"] = filterEx;
                if (projectionEx is not null) query["ProjectionExpression"] = projectionEx;
                names.AddTo(query);
                JsonObject values = query["ExpressionAttributeValues"] as JsonObject ?? [];
                values[":hash"] = partition.DeepClone();
                query["ExpressionAttributeValues"] = values;
                reads.Add(query);
            }
        }

        return new SelectCase(statement, _parameters, reads, keyCondition is null ? "Scan" : "Query", Ordered: keyCondition is not null, limit, consistent)
        {
            PointRead = !onIndex && (shape == 3 || shape == 0 && _rangeEquality),
        };
    }

    private static readonly string[] StringKeys = ["a", "ab", "abc", "b", "ba", "x", "zz", "\u00e9", "\ud83d\ude00", "\uff5a"];

    // Whether the last RangeTerm was an equality: with the partition key's, on the table, that names one item (a GetItem).
    private bool _rangeEquality;

    private (string PartiQL, string Expression) RangeTerm(string range, Names names)
    {
        _rangeEquality = false;
        bool text = range == "txt";
        JsonObject a = text ? S(Pick(StringKeys)) : N(_r.Next(-1, 7).ToString(CultureInfo.InvariantCulture));
        switch (_r.Next(text ? 4 : 3))
        {
            case 3:
            {
                // begins_with on a string sort key narrows the seek (README).
                JsonObject prefix = S(Pick(["a", "b", "z", "ab", "\ud83d\ude00"]));
                return ($"begins_with({range}, {Render(prefix)})", $"begins_with({names.Of(range)}, {names.Value(prefix)})");
            }
            case 1 or 2 when text:
            {
                // Bounds in DynamoDB's order of strings, by UTF-8 bytes (an emoji sorts after a fullwidth letter).
                string[] bounds = new[] { Pick(StringKeys), Pick(StringKeys) }.OrderBy(b => Encoding.UTF8.GetBytes(b), ByteOrder.Instance).ToArray();
                JsonObject low = S(bounds[0]);
                JsonObject high = S(bounds[1]);
                string l = Render(low);
                string h = Render(high);
                return ($"{range} BETWEEN {l} AND {h}", $"{names.Of(range)} BETWEEN {names.Value(low)} AND {names.Value(high)}");
            }
            case 0:
            {
                string op = Pick(["=", "<", "<=", ">", ">="]);
                _rangeEquality = op == "=";
                if (Chance(0.2))
                {
                    return ($"{Render(a)} {Mirror(op)} {range}", $"{names.Of(range)} {op} {names.Value(a)}");
                }

                return ($"{range} {op} {Render(a)}", $"{names.Of(range)} {op} {names.Value(a)}");
            }
            default:
            {
                int lo = _r.Next(0, 6);
                JsonObject low = N(lo.ToString(CultureInfo.InvariantCulture));
                JsonObject high = N((lo + _r.Next(0, 4)).ToString(CultureInfo.InvariantCulture));
                string l = Render(low);
                string h = Render(high);
                return ($"{range} BETWEEN {l} AND {h}", $"{names.Of(range)} BETWEEN {names.Value(low)} AND {names.Value(high)}");
            }
        }
    }
}

/// <summary>Unsigned byte order: DynamoDB's order of strings (by UTF-8 bytes) and binaries.</summary>
internal sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}

/// <summary>Canonical text of DynamoDB JSON values: maps by key, set members sorted, so equal values print equally.</summary>
internal static class CanonicalJson
{
    public static string Item(JsonNode? item) => item is JsonObject o ? Write(o) : "null";

    public static string Items(IEnumerable<JsonNode?> items, bool ordered)
    {
        IEnumerable<string> texts = items.Select(Item);
        return "[" + string.Join(",\n ", ordered ? texts : texts.Order(StringComparer.Ordinal)) + "]";
    }

    private static string Write(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                return "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + (p.Key is "SS" or "NS" or "BS" && p.Value is JsonArray set
                    ? "[" + string.Join(",", set.Select(m => Write(m)).Order(StringComparer.Ordinal)) + "]"
                    : Write(p.Value)))) + "}";
            case JsonArray a:
                return "[" + string.Join(",", a.Select(Write)) + "]";
            default:
                return node?.ToJsonString() ?? "null";
        }
    }
}
