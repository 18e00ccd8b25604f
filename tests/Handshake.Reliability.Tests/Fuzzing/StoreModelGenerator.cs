using Amazon.DynamoDBv2.Model;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>The placeholders of one request's expressions: a name or value is declared only once it is used.</summary>
internal sealed class ExpressionParts(string prefix = "n")
{
    public Dictionary<string, string> Names { get; } = [];

    public Dictionary<string, AttributeValue> Values { get; } = [];

    public string Name(string attribute)
    {
        string placeholder = "#" + prefix + Names.Count;
        Names[placeholder] = attribute;
        return placeholder;
    }

    public string Value(AttributeValue value)
    {
        string placeholder = ":v" + Values.Count;
        Values[placeholder] = value;
        return placeholder;
    }

    public Dictionary<string, string>? NamesOrNull => Names.Count == 0 ? null : Names;

    public Dictionary<string, AttributeValue>? ValuesOrNull => Values.Count == 0 ? null : Values;

    public string Describe() => Names.Count + Values.Count == 0 ? "" : "names={" + string.Join(",", Names.Select(p => p.Key + "=" + p.Value)) + "} values={"
        + string.Join(",", Values.Select(p => p.Key + "=" + Render(p.Value))) + "}";
}

/// <summary>A ConditionExpression and what it means: whether it holds for the item as it is (null: no item).</summary>
internal sealed record ModelCondition(string Text, Func<Dictionary<string, AttributeValue>?, bool> Holds);

/// <summary>One clause of an UpdateExpression: its section, its text, and its effect on the new item (or an error).</summary>
internal sealed record ModelUpdateAction(string Section, string Attribute, string Text, Func<Dictionary<string, AttributeValue>, Dictionary<string, AttributeValue>, string?> Apply);

/// <summary>
/// The fuzz's vocabulary: small pools of values (so keys collide and index sort keys tie) rich in edge cases; numbers in
/// several spellings of one value (100, 1E2, 0100: one key), strings whose UTF-8 and UTF-16 orders differ, binary with
/// 0x00 and 0xFF; conditions that sometimes fail; updates with SET, REMOVE, ADD and DELETE.
/// </summary>
internal sealed class StoreModelGenerator(Random random)
{
    /// <summary>Each row: the spellings of one number. All are valid: ≤ 38 digits, magnitude in [1e-130, 1e126).</summary>
    private static readonly string[][] Numbers =
    [
        ["0", "-0.0", "0.000", "-0", "0E5"],
        ["100", "1E2", "1e+2", "100.00", "0100", "+100"],
        ["1E-130", "0.1E-129"],
        ["-5.5", "-5.50", "-55E-1"],
        ["1E+125", "10E124", "1e125"],
        ["-1E-130"],
        ["12345678901234567890123456789012345678", "1.2345678901234567890123456789012345678E+37"],
        ["-9.9999999999999999999999999999999999999E+125"],
        ["9.9999999999999999999999999999999999999E+125"],
        ["1.2345678901234567890123456789012345678E-100"],
        ["7", "7.0"],
    ];

    /// <summary>U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8; UTF-16 (D83D) says the opposite.</summary>
    private static readonly string[] Strings = ["a", "\uFFFD", "😀", "ab", "é", "\uE000", "a😀", "a\uFFFD", "z", "a\u0000b"];

    private static readonly byte[][] Binaries = [[0x00], [0xFF], [0x00, 0xFF], [0x00, 0x00], [0x01], [0x7F], [0x80], [0xFF, 0x00]];

    /// <summary>Counters stay small so sums keep within 38 digits; the edge numbers go where no arithmetic happens.</summary>
    private static readonly string[] Small = ["1", "2", "-3", "0.5", "-1.25", "1E2", "0", "5"];

    public Random Random { get; } = random;

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public bool Chance(double p) => Random.NextDouble() < p;

    private AttributeValue Number(int logical) => N(Pick(Numbers[logical]));

    /// <summary>A key value of the given type from the first <paramref name="size"/> logical values of its pool.</summary>
    public AttributeValue Key(string type, int size) => type switch
    {
        "N" => Number(Random.Next(Math.Min(size, Numbers.Length))),
        "S" => S(Strings[Random.Next(Math.Min(size, Strings.Length))]),
        _ => B(Binaries[Random.Next(Math.Min(size, Binaries.Length))]),
    };

    /// <summary>The same value, spelled anew: a number in any of its spellings (a key must find its item by value).</summary>
    public AttributeValue Respell(AttributeValue value)
    {
        if (value.N is null)
        {
            return Canonical(value);
        }

        string canonical = ModelNumber.Parse(value.N).ToString();
        return Numbers.FirstOrDefault(row => ModelNumber.Parse(row[0]).ToString() == canonical) is { } spellings ? N(Pick(spellings)) : N(canonical);
    }

    public Dictionary<string, AttributeValue> PrimaryKey(ModelTableShape shape) => new()
    {
        ["pk"] = Key(shape.HashType, 3),
        ["sk"] = Key(shape.RangeType, 8),
    };

    /// <summary>A value for a non-key attribute of the given name, always of that attribute's one type (a: any type).</summary>
    public AttributeValue Attribute(ModelTableShape shape, string name) => name switch
    {
        "a" => AnyValue(),
        "cnt" => N(Pick(Small)),
        "tags" => new AttributeValue { SS = Strings.OrderBy(_ => Random.Next()).Take(Random.Next(1, 4)).ToList() },
        "nums" => new AttributeValue { NS = Enumerable.Range(0, Numbers.Length).OrderBy(_ => Random.Next()).Take(Random.Next(1, 4)).Select(i => Pick(Numbers[i])).ToList() },
        "bins" => new AttributeValue { BS = Binaries.OrderBy(_ => Random.Next()).Take(Random.Next(1, 4)).Select(b => new MemoryStream(b)).ToList() },
        "lst" => new AttributeValue { L = Enumerable.Range(0, Random.Next(1, 3)).Select(_ => AnyScalar()).ToList() },
        "m" => new AttributeValue { M = new[] { "x", "y", "z" }.OrderBy(_ => Random.Next()).Take(Random.Next(1, 3)).ToDictionary(k => k, _ => AnyScalar()) },
        "lsk" => Key(shape.LsiType, 3),
        "g1h" => Key("S", 3),
        "g1r" => Key("N", 4),
        "g2h" => Key("N", 2),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static readonly string[] NonKeyAttributes = ["a", "cnt", "tags", "nums", "bins", "lst", "m", "lsk", "g1h", "g1r", "g2h"];

    public AttributeValue AnyScalar() => Random.Next(4) switch
    {
        0 => S(Pick(Strings)),
        1 => Number(Random.Next(Numbers.Length)),
        2 => B(Pick(Binaries)),
        _ => S(""), // empty strings are fine outside keys
    };

    private AttributeValue AnyValue() => Random.Next(8) switch
    {
        < 4 => AnyScalar(),
        4 => new AttributeValue { BOOL = Chance(0.5) },
        5 => new AttributeValue { NULL = true },
        6 => new AttributeValue { M = new() { ["x"] = AnyScalar() } },
        _ => B([]),
    };

    public Dictionary<string, AttributeValue> Item(ModelTableShape shape, Dictionary<string, AttributeValue> key)
    {
        Dictionary<string, AttributeValue> item = new(key);
        foreach (string name in NonKeyAttributes.Where(_ => Chance(0.45)))
        {
            item[name] = Attribute(shape, name);
        }

        if (Chance(0.08))
        {
            // A few items of 100-400 KB, so a Query or Scan page stops at 1 MB before its Limit, wherever that falls.
            item["big"] = S(new string((char)('a' + Random.Next(26)), Random.Next(100_000, 400_000)));
        }

        return item;
    }

    /// <summary>A condition over the item's existence, a counter's value, or the any-typed <c>a</c>; sometimes combined.</summary>
    public ModelCondition Condition(ExpressionParts parts, bool keys = true)
    {
        if (Chance(0.15))
        {
            ModelCondition left = Condition(parts, keys), right = Condition(parts, keys);
            return Chance(0.5)
                ? new($"({left.Text}) AND ({right.Text})", item => left.Holds(item) && right.Holds(item))
                : new($"({left.Text}) OR ({right.Text})", item => left.Holds(item) || right.Holds(item));
        }

        if (Chance(0.08))
        {
            ModelCondition inner = Condition(parts, keys);
            return new($"NOT ({inner.Text})", item => !inner.Holds(item));
        }

        // A Query's FilterExpression may not name key attributes: those conditions only where keys are allowed.
        switch (keys ? Random.Next(12) : Random.Next(4, 12))
        {
            case 0:
                return new($"attribute_exists({parts.Name("pk")})", item => item is not null);
            case 1:
                return new($"attribute_not_exists({parts.Name("sk")})", item => item is null);
            case 2:
            {
                string name = Pick(["a", "cnt", "g1h", "tags"]);
                return new($"attribute_exists({parts.Name(name)})", item => item?.ContainsKey(name) == true);
            }
            case 3:
            {
                string name = Pick(["a", "cnt", "lsk", "nums"]);
                return new($"attribute_not_exists({parts.Name(name)})", item => item?.ContainsKey(name) != true);
            }
            case 4:
            {
                string op = Pick(["<", "<=", ">", ">=", "="]);
                AttributeValue bound = N(Pick(Small));
                string text = $"{parts.Name("cnt")} {op} {parts.Value(bound)}";
                return new(text, item =>
                {
                    if (item?.GetValueOrDefault("cnt") is not { } cnt)
                    {
                        return false;
                    }

                    int c = ModelNumber.Parse(cnt.N).CompareTo(ModelNumber.Parse(bound.N));
                    return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, ">=" => c >= 0, _ => c == 0 };
                });
            }
            case 5:
            {
                AttributeValue value = AnyScalar();
                return new($"{parts.Name("a")} = {parts.Value(value)}", item => item?.GetValueOrDefault("a") is { } a && SameValue(a, value));
            }
            case 7:
            {
                // contains: a substring of a string, a byte run of a binary, a member of a set, an element of a list.
                string name = Pick(["a", "tags", "nums", "bins", "lst"]);
                AttributeValue operand = name switch { "tags" => S(Pick(Strings)), "nums" => Number(Random.Next(Numbers.Length)), "bins" => B(Pick(Binaries)), _ => AnyScalar() };
                return new($"contains({parts.Name(name)}, {parts.Value(operand)})", item => item?.GetValueOrDefault(name) is { } v && Contains(v, operand));
            }
            case 8:
            {
                string type = Pick(["S", "N", "B", "SS", "NS", "L", "M", "BOOL", "NULL"]);
                return new($"attribute_type({parts.Name("a")}, {parts.Value(S(type))})", item => item?.GetValueOrDefault("a") is { } a && TypeOf(a) == type);
            }
            case 9:
            {
                AttributeValue[] choices = [AnyScalar(), AnyScalar(), AnyScalar()];
                return new($"{parts.Name("a")} IN ({string.Join(", ", choices.Select(parts.Value))})", item => item?.GetValueOrDefault("a") is { } a && choices.Any(c => SameValue(a, c)));
            }
            case 11:
            {
                // Paths into a map or list: a member compared, an element's existence.
                AttributeValue value = AnyScalar();
                return Chance(0.5)
                    ? new($"{parts.Name("m")}.{parts.Name("x")} = {parts.Value(value)}", item => item?.GetValueOrDefault("m")?.M?.GetValueOrDefault("x") is { } x && SameValue(x, value))
                    : new($"attribute_exists({parts.Name("lst")}[1])", item => item?.GetValueOrDefault("lst")?.L is { Count: > 1 });
            }
            case 10:
            {
                // size of a set, list or map is its member count.
                string name = Pick(["tags", "nums", "bins", "lst", "m"]);
                AttributeValue bound = N(Pick(["1", "2", "3"]));
                string op = Pick(["<", ">=", "="]);
                return new($"size({parts.Name(name)}) {op} {parts.Value(bound)}", item =>
                {
                    if (item?.GetValueOrDefault(name) is not { } v)
                    {
                        return false;
                    }

                    int size = v.SS is { Count: > 0 } ? v.SS.Count : v.NS is { Count: > 0 } ? v.NS.Count : v.BS is { Count: > 0 } ? v.BS.Count : v.L?.Count ?? v.M!.Count;
                    int c = size.CompareTo(int.Parse(bound.N, System.Globalization.CultureInfo.InvariantCulture));
                    return op switch { "<" => c < 0, ">=" => c >= 0, _ => c == 0 };
                });
            }
            default:
            {
                AttributeValue prefix = Chance(0.5) ? S(Pick(["a", "\uFFFD", "é"])) : B(Pick<byte[]>([[0x00], [0xFF]]));
                return new($"begins_with({parts.Name("a")}, {parts.Value(prefix)})", item => item?.GetValueOrDefault("a") is { } a && BeginsWith(a, prefix));
            }
        }
    }

    public static bool Contains(AttributeValue value, AttributeValue operand) => (TypeOf(value), TypeOf(operand)) switch
    {
        ("S", "S") => value.S.Contains(operand.S, StringComparison.Ordinal),
        ("B", "B") => Bytes(value).AsSpan().IndexOf(Bytes(operand)) >= 0,
        ("SS", "S") => value.SS.Contains(operand.S),
        ("NS", "N") => value.NS.Any(n => SameValue(N(n), operand)),
        ("BS", "B") => value.BS.Any(b => b.ToArray().AsSpan().SequenceEqual(Bytes(operand))),
        ("L", _) => value.L.Any(e => SameValue(e, operand)),
        _ => false,
    };

    public static bool BeginsWith(AttributeValue value, AttributeValue prefix) => (TypeOf(value), TypeOf(prefix)) switch
    {
        ("S", "S") => value.S.StartsWith(prefix.S, StringComparison.Ordinal),
        ("B", "B") => Bytes(value).AsSpan().StartsWith(Bytes(prefix)),
        _ => false,
    };
}
