using System.Numerics;
using CsCheck;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// Property tests: the parser against a printer (round trip, and precedence with minimal parentheses), the
/// evaluator against a small reference model, the operator limit against a reference count, and number arithmetic
/// against BigInteger.
/// </summary>
public sealed class ExpressionPropertyTests
{
    // A random condition tree in the test's own terms, printable with full or minimal parentheses.
    private abstract record Cond;
    private sealed record And(Cond L, Cond R) : Cond;
    private sealed record Or(Cond L, Cond R) : Cond;
    private sealed record Not(Cond X) : Cond;
    private sealed record Atom(string Text, Func<Dictionary<string, AttributeValue>, bool> Model) : Cond;

    private static readonly string[] Names = ["a", "b", "c", "#n0", "#n1"];
    private static readonly Dictionary<string, string> NameMap = new() { ["#n0"] = "Status", ["#n1"] = "x y" };
    private const int ValueCount = 8;

    // :v0..:v3 numbers 0..3, :v4..:v7 strings "s0".."s3"; every placeholder distinct, so the printer can map back.
    private static AttributeValue ValueOf(int i) => i < 4
        ? AttributeValue.FromNumber(DynamoNumber.Parse(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        : AttributeValue.FromString("s" + (i - 4));

    private static string Resolve(string name) => NameMap.GetValueOrDefault(name, name);

    private static Cond RandomCond(Random r, int depth)
    {
        int choice = depth <= 0 ? 3 : r.Next(6);
        switch (choice)
        {
            case 0: return new And(RandomCond(r, depth - 1), RandomCond(r, depth - 1));
            case 1: return new Or(RandomCond(r, depth - 1), RandomCond(r, depth - 1));
            case 2: return new Not(RandomCond(r, depth - 1));
            default: return RandomAtom(r);
        }
    }

    private static Cond RandomAtom(Random r)
    {
        string name = Names[r.Next(Names.Length)];
        string attribute = Resolve(name);
        int v = r.Next(ValueCount), w = r.Next(ValueCount);
        var value = ValueOf(v);
        switch (r.Next(6))
        {
            case 0:
            {
                var ops = new[] { "=", "<>", "<", "<=", ">", ">=" };
                var op = ops[r.Next(ops.Length)];
                return new Atom(name + " " + op + " :v" + v, item => ModelCompare(item.GetValueOrDefault(attribute), op, value));
            }
            case 1:
                return new Atom("attribute_exists(" + name + ")", item => item.ContainsKey(attribute));
            case 2:
                return new Atom("attribute_not_exists(" + name + ")", item => !item.ContainsKey(attribute));
            case 3:
                return new Atom(name + " IN (:v" + v + ", :v" + w + ")",
                    item => item.TryGetValue(attribute, out var x) && (ModelEquals(x, value) || ModelEquals(x, ValueOf(w))));
            case 4:
            {
                // BETWEEN needs ordered bounds of one type: pick within the same half.
                int lo = v < 4 ? Math.Min(v, w % 4) : Math.Min(v, 4 + w % 4), hi = v < 4 ? Math.Max(v, w % 4) : Math.Max(v, 4 + w % 4);
                return new Atom(name + " BETWEEN :v" + lo + " AND :v" + hi,
                    item => ModelCompare(item.GetValueOrDefault(attribute), ">=", ValueOf(lo)) && ModelCompare(item.GetValueOrDefault(attribute), "<=", ValueOf(hi)));
            }
            default:
                return new Atom("begins_with(" + name + ", :v" + (4 + v % 4) + ")",
                    item => item.TryGetValue(attribute, out var x) && x.Type == AttributeType.S && x.S.StartsWith(ValueOf(4 + v % 4).S, StringComparison.Ordinal));
        }
    }

    private static bool ModelEquals(AttributeValue x, AttributeValue y) =>
        x.Type == y.Type && (x.Type == AttributeType.N ? decimal.Parse(x.N.ToString()) == decimal.Parse(y.N.ToString()) : x.Type != AttributeType.S || x.S == y.S);

    private static bool ModelCompare(AttributeValue? x, string op, AttributeValue y)
    {
        if (op == "<>") return x is null || !ModelEquals(x, y);
        if (x is null) return false;
        if (op == "=") return ModelEquals(x, y);
        if (x.Type != y.Type || x.Type is not (AttributeType.N or AttributeType.S)) return false;
        int c = x.Type == AttributeType.N
            ? decimal.Parse(x.N.ToString()).CompareTo(decimal.Parse(y.N.ToString()))
            : string.CompareOrdinal(x.S, y.S);
        return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
    }

    private static bool Model(Cond c, Dictionary<string, AttributeValue> item) => c switch
    {
        And a => Model(a.L, item) && Model(a.R, item),
        Or o => Model(o.L, item) || Model(o.R, item),
        Not n => !Model(n.X, item),
        Atom a => a.Model(item),
        _ => false,
    };

    private static string Full(Cond c) => c switch
    {
        And a => "(" + Full(a.L) + " AND " + Full(a.R) + ")",
        Or o => "(" + Full(o.L) + " OR " + Full(o.R) + ")",
        Not n => "(NOT " + Full(n.X) + ")",
        Atom a => a.Text,
        _ => "",
    };

    private static int Precedence(Cond c) => c switch { Or => 1, And => 2, Not => 3, _ => 4 };

    // Minimal parentheses under DynamoDB's precedence (OR < AND < NOT), both binary operators left-associative.
    private static string Minimal(Cond c, int required = 0)
    {
        string text = c switch
        {
            And a => Minimal(a.L, 2) + " AND " + Minimal(a.R, 3),
            Or o => Minimal(o.L, 1) + " OR " + Minimal(o.R, 2),
            Not n => "NOT " + Minimal(n.X, 3),
            Atom a => a.Text,
            _ => "",
        };
        return Precedence(c) < required ? "(" + text + ")" : text;
    }

    private static ExpressionAttributes Attributes()
    {
        var values = new Dictionary<string, AttributeValue>();
        for (int i = 0; i < ValueCount; i++) values[":v" + i] = ValueOf(i);
        return new ExpressionAttributes(new Dictionary<string, string>(NameMap), values);
    }

    private static ExpressionPrinter Printer() => new(
        NameMap.ToDictionary(p => p.Value, p => p.Key),
        value => ":v" + Enumerable.Range(0, ValueCount).First(i => ValueOf(i).ValueEquals(value)));

    private static ConditionNode Parse(string text) => ExpressionParser.ParseCondition(text, Attributes());

    [Fact]
    public void ParserRoundTripsThroughThePrinter()
    {
        Gen.Int.Sample(seed =>
        {
            var cond = RandomCond(new Random(seed), 4);
            var full = Full(cond);
            var printer = Printer();
            Assert.Equal(full, printer.Print(Parse(full)));
            // The same tree with only the parentheses precedence requires parses to the same AST.
            Assert.Equal(full, printer.Print(Parse(Minimal(cond))));
        }, iter: 400);
    }

    private static Dictionary<string, AttributeValue> RandomItem(Random r)
    {
        var item = new Dictionary<string, AttributeValue>();
        foreach (var name in Names)
        {
            var attribute = Resolve(name);
            switch (r.Next(5))
            {
                case 0: break; // absent
                case 1: item[attribute] = ValueOf(r.Next(4)); break;
                case 2: item[attribute] = AttributeValue.FromString("s" + r.Next(4) + (r.Next(2) == 0 ? "" : "z")); break;
                case 3: item[attribute] = AttributeValue.FromBool(r.Next(2) == 0); break;
                default: item[attribute] = ValueOf(4 + r.Next(4)); break;
            }
        }
        return item;
    }

    [Fact]
    public void EvaluatorAgreesWithTheReferenceModel()
    {
        Gen.Int.Sample(seed =>
        {
            var r = new Random(seed);
            var cond = RandomCond(r, 3);
            var node = Parse(Minimal(cond));
            for (int i = 0; i < 10; i++)
            {
                var item = RandomItem(r);
                Assert.Equal(Model(cond, item), node.Evaluate(item));
            }
        }, iter: 400);
    }

    // The reference count of operators: every atom here holds exactly one (a comparator, IN, BETWEEN or a function),
    // and every AND, OR and NOT is one more; parentheses count nothing.
    private static int Operators(Cond c) => c switch
    {
        And a => 1 + Operators(a.L) + Operators(a.R),
        Or o => 1 + Operators(o.L) + Operators(o.R),
        Not n => 1 + Operators(n.X),
        _ => 1,
    };

    [Fact]
    public void OperatorLimitCountsWhatTheReferenceCounts()
    {
        Gen.Int.Sample(seed =>
        {
            var cond = RandomCond(new Random(seed), 4);
            int count = Operators(cond);
            // Topped up with NOTs to exactly 300 operators it parses; one NOT more and it is refused.
            string Padded(int nots) => string.Concat(Enumerable.Repeat("NOT ", nots)) + "(" + Minimal(cond) + ")";
            Parse(Padded(300 - count));
            var error = Assert.Throws<DynamoException>(() => Parse(Padded(301 - count)));
            Assert.Equal("Invalid ConditionExpression: The expression contains too many operators; operator count: 301", error.Message);
        }, iter: 200);
    }

    private static readonly Gen<(BigInteger Unscaled, int Scale)> Decimals =
        Gen.Select(Gen.Long, Gen.Long[0, 999_999_999_999], Gen.Int[-40, 20],
            (high, low, scale) => (new BigInteger(high) * 1_000_000_000_000 + low, scale));

    private static DynamoNumber? ToNumber(BigInteger unscaled, int scale) =>
        DynamoNumber.TryFromScaled(unscaled, scale, out var n) is null ? n : null;

    [Fact]
    public void ArithmeticIsExactOrRejected()
    {
        Gen.Select(Decimals, Decimals).Sample(pair =>
        {
            var ((ua, sa), (ub, sb)) = pair;
            if (ToNumber(ua, sa) is not { } a || ToNumber(ub, sb) is not { } b) return;
            int scale = Math.Min(sa, sb);
            var exact = ua * BigInteger.Pow(10, sa - scale) + ub * BigInteger.Pow(10, sb - scale);
            var expected = ToNumber(exact, scale);
            if (expected is null)
            {
                Assert.Throws<DynamoException>(() => a.Add(b));
                return;
            }
            Assert.Equal(expected.Value, a.Add(b));
            Assert.Equal(expected.Value.ToString(), a.Add(b).ToString());
            Assert.Equal(a, a.Add(b).Subtract(b));
        }, iter: 2000);
    }
}
