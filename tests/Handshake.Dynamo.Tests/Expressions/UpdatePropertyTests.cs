using CsCheck;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// UpdateExpression against a reference model on flat items of small numbers: every action reads the item as it was
/// before the update, ADD on a missing attribute starts from zero, and a type error leaves nothing half-applied.
/// </summary>
public sealed class UpdatePropertyTests
{
    private static readonly string[] Names = ["a", "b", "c", "d", "e", "f"];

    private static AttributeValue N(long n) => AttributeValue.FromNumber(DynamoNumber.Parse(n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void UpdatesAgreeWithTheReferenceModel()
    {
        Gen.Int.Sample(seed =>
        {
            var r = new Random(seed);
            var old = new Dictionary<string, AttributeValue>();
            foreach (var name in Names)
            {
                int kind = r.Next(4);
                if (kind == 1 || kind == 2) old[name] = N(r.Next(-50, 50));
                else if (kind == 3) old[name] = AttributeValue.FromString("s" + r.Next(3));
            }
            // Distinct targets in random order, each with one action.
            var targets = Names.OrderBy(_ => r.Next()).Take(r.Next(1, Names.Length + 1)).ToList();
            var values = new Dictionary<string, AttributeValue>();
            var sets = new List<string>();
            var removes = new List<string>();
            var adds = new List<string>();
            var expected = new Dictionary<string, AttributeValue>(old);
            // SET values are all computed before any action applies, so their errors come before an ADD's.
            string? error = null, addError = null;
            foreach (var target in targets)
            {
                string source = Names[r.Next(Names.Length)];
                string value = ":v" + values.Count;
                long number = r.Next(-9, 10);
                switch (r.Next(4))
                {
                    case 0:
                        values[value] = N(number);
                        sets.Add(target + " = " + value);
                        expected[target] = N(number);
                        break;
                    case 1:
                        sets.Add(target + " = " + source);
                        if (!old.TryGetValue(source, out var copied)) error ??= UpdateValue.MissingAttribute;
                        else expected[target] = copied;
                        break;
                    case 2:
                        values[value] = N(number);
                        sets.Add(target + " = if_not_exists(" + source + ", " + value + ") + " + value);
                        var basis = old.GetValueOrDefault(source) ?? N(number);
                        if (basis.Type != AttributeType.N) error ??= UpdateExpression.IncorrectType;
                        else expected[target] = N(long.Parse(basis.N.ToString(), System.Globalization.CultureInfo.InvariantCulture) + number);
                        break;
                    default:
                        if (r.Next(2) == 0)
                        {
                            removes.Add(target);
                            expected.Remove(target);
                        }
                        else
                        {
                            values[value] = N(number);
                            adds.Add(target + " " + value);
                            var existing = old.GetValueOrDefault(target) ?? N(0);
                            if (existing.Type != AttributeType.N) addError ??= UpdateExpression.IncorrectType;
                            else expected[target] = N(long.Parse(existing.N.ToString(), System.Globalization.CultureInfo.InvariantCulture) + number);
                        }
                        break;
                }
            }
            var text = (sets.Count > 0 ? "SET " + string.Join(", ", sets) + " " : "")
                + (removes.Count > 0 ? "REMOVE " + string.Join(", ", removes) + " " : "")
                + (adds.Count > 0 ? "ADD " + string.Join(", ", adds) : "");
            var update = ExpressionParser.ParseUpdate(text, new ExpressionAttributes(null, values.Count > 0 ? values : null));
            var snapshot = new Dictionary<string, AttributeValue>(old);
            error ??= addError;
            if (error is not null)
            {
                Assert.Equal(error, Assert.Throws<DynamoException>(() => update.Apply(old)).Message);
            }
            else
            {
                var updated = update.Apply(old);
                Assert.Equal(expected.Keys.Order(), updated.Keys.Order());
                foreach (var (name, value) in expected) Assert.True(value.ValueEquals(updated[name]), text + ": " + name);
            }
            Assert.Equal(snapshot.Count, old.Count); // the old item is never changed
            foreach (var (name, value) in snapshot) Assert.Same(value, old[name]);
        }, iter: 1000);
    }
}
