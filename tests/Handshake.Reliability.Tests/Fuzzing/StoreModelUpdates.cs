using Amazon.DynamoDBv2.Model;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// UpdateExpressions and their documented effect: every operand reads the item as it was before the update; ADD on a
/// missing number or set starts from zero or the empty set; DELETE that empties a set removes the attribute;
/// <c>cnt - :d</c> on a missing <c>cnt</c> is refused with AWS's message.
/// </summary>
internal static class StoreModelUpdates
{
    public const string MissingOperand = "The provided expression refers to an attribute that does not exist in the item";

    /// <summary>A nested path whose parent is missing (or not a map or list) cannot be set or removed.</summary>
    public const string InvalidPath = "The document path provided in the update expression is invalid for update";

    /// <summary>One to three clauses on distinct attributes; <paramref name="mayFail"/> allows the clause that can be refused.</summary>
    public static List<ModelUpdateAction> Actions(StoreModelGenerator g, ModelTableShape shape, ExpressionParts parts, bool mayFail)
    {
        List<ModelUpdateAction> actions = [];
        foreach (string name in StoreModelGenerator.NonKeyAttributes.OrderBy(_ => g.Random.Next()).Take(g.Random.Next(1, 4)))
        {
            // At most one clause that can be refused: which of two refusals AWS reports first is not documented.
            actions.Add(Action(g, shape, parts, name, mayFail && actions.Count == 0));
        }

        return actions;
    }

    /// <summary>A SET of a secondary index key to a value of the wrong type, or an empty one: refused.</summary>
    public static ModelUpdateAction Faulty(StoreModelGenerator g, ModelTableShape shape, ExpressionParts parts)
    {
        (string attribute, AttributeValue? value) = StoreModelValidation.Fault(g, shape, tableKeys: false);
        return Set(attribute, parts.Name(attribute), parts, value!);
    }

    public static string Expression(List<ModelUpdateAction> actions) => string.Join(" ", actions
        .GroupBy(a => a.Section)
        .Select(section => section.Key + " " + string.Join(", ", section.Select(a => a.Text))));

    /// <summary>The new item, or the error the update gets (and then nothing changes).</summary>
    public static (Dictionary<string, AttributeValue> Item, string? Error) Apply(List<ModelUpdateAction> actions, Dictionary<string, AttributeValue>? old, Dictionary<string, AttributeValue> key)
    {
        Dictionary<string, AttributeValue> before = old ?? Canonical(key);
        Dictionary<string, AttributeValue> next = new(before);
        foreach (ModelUpdateAction action in actions)
        {
            if (action.Apply(before, next) is { } error)
            {
                return (before, error);
            }
        }

        return (next, null);
    }

    private static ModelUpdateAction Action(StoreModelGenerator g, ModelTableShape shape, ExpressionParts parts, string name, bool mayFail)
    {
        string n = parts.Name(name);
        if (mayFail && name is "m" or "lst" && g.Chance(0.5))
        {
            return Nested(g, parts, name, n);
        }

        if (g.Chance(0.15))
        {
            return new("REMOVE", name, n, (_, next) => { next.Remove(name); return null; });
        }

        switch (name)
        {
            case "cnt":
            {
                AttributeValue d = g.Attribute(shape, "cnt");
                switch (g.Random.Next(mayFail ? 4 : 3))
                {
                    case 0:
                        AttributeValue zero = N(g.Pick(["0", "-0", "10"]));
                        return new("SET", name, $"{n} = if_not_exists({n}, {parts.Value(zero)}) + {parts.Value(d)}", (before, next) =>
                        {
                            next[name] = Sum(before.GetValueOrDefault(name) ?? zero, d);
                            return null;
                        });
                    case 1:
                        return new("ADD", name, $"{n} {parts.Value(d)}", (before, next) =>
                        {
                            next[name] = before.TryGetValue(name, out AttributeValue? old) ? Sum(old, d) : Canonical(d);
                            return null;
                        });
                    case 2:
                        return Set(name, n, parts, d);
                    default:
                        return new("SET", name, $"{n} = {n} - {parts.Value(d)}", (before, next) =>
                        {
                            if (!before.TryGetValue(name, out AttributeValue? old))
                            {
                                return MissingOperand;
                            }

                            next[name] = N(ModelNumber.Parse(old.N).Add(ModelNumber.Parse(d.N).Negate()).ToString());
                            return null;
                        });
                }
            }

            case "tags" or "nums" or "bins" when g.Chance(0.7):
            {
                AttributeValue members = g.Attribute(shape, name);
                bool add = g.Chance(0.6);
                return new(add ? "ADD" : "DELETE", name, $"{n} {parts.Value(members)}", (before, next) =>
                {
                    List<AttributeValue> current = Members(before.GetValueOrDefault(name));
                    List<AttributeValue> change = Members(members);
                    List<AttributeValue> result = add
                        ? current.Concat(change.Where(c => !current.Any(m => SameValue(m, c)))).ToList()
                        : current.Where(m => !change.Any(c => SameValue(m, c))).ToList();
                    if (result.Count == 0)
                    {
                        next.Remove(name);
                    }
                    else
                    {
                        next[name] = name switch
                        {
                            "tags" => new AttributeValue { SS = result.Select(m => m.S).ToList() },
                            "nums" => new AttributeValue { NS = result.Select(m => m.N).ToList() },
                            _ => new AttributeValue { BS = result.Select(m => new MemoryStream(Bytes(m))).ToList() },
                        };
                    }

                    return null;
                });
            }

            case "lst" when g.Chance(0.7):
            {
                AttributeValue first = g.Attribute(shape, "lst"), more = g.Attribute(shape, "lst");
                return new("SET", name, $"{n} = list_append(if_not_exists({n}, {parts.Value(first)}), {parts.Value(more)})", (before, next) =>
                {
                    AttributeValue start = before.GetValueOrDefault(name) ?? Canonical(first);
                    next[name] = new AttributeValue { L = [.. start.L, .. Canonical(more).L] };
                    return null;
                });
            }

            case "a" when g.Chance(0.4):
            {
                // A copy of another attribute as it was before this update, even if another clause changes it.
                string source = g.Pick(["cnt", "tags", "lst", "g1h", "m"]);
                string src = parts.Name(source);
                if (mayFail && g.Chance(0.5))
                {
                    return new("SET", name, $"{n} = {src}", (before, next) =>
                    {
                        if (!before.TryGetValue(source, out AttributeValue? value))
                        {
                            return MissingOperand;
                        }

                        next[name] = value;
                        return null;
                    });
                }

                AttributeValue fallback = g.AnyScalar();
                return new("SET", name, $"{n} = if_not_exists({src}, {parts.Value(fallback)})", (before, next) =>
                {
                    next[name] = before.GetValueOrDefault(source) ?? Canonical(fallback);
                    return null;
                });
            }

            default:
                return Set(name, n, parts, g.Attribute(shape, name));
        }
    }

    /// <summary>
    /// SET or REMOVE of a map member or list element: the parent must exist (else <see cref="InvalidPath"/>); a missing
    /// member or an index past the end is a no-op for REMOVE, and SET past the end appends.
    /// </summary>
    private static ModelUpdateAction Nested(StoreModelGenerator g, ExpressionParts parts, string name, string n)
    {
        bool remove = g.Chance(0.4);
        AttributeValue value = g.AnyScalar();
        if (name == "m")
        {
            string member = g.Pick(["x", "y"]);
            string path = $"{n}.{parts.Name(member)}";
            return new(remove ? "REMOVE" : "SET", name, remove ? path : $"{path} = {parts.Value(value)}", (before, next) =>
            {
                if (before.GetValueOrDefault(name)?.M is not { } map)
                {
                    return InvalidPath;
                }

                Dictionary<string, AttributeValue> changed = new(map);
                if (remove)
                {
                    changed.Remove(member);
                }
                else
                {
                    changed[member] = Canonical(value);
                }

                next[name] = new AttributeValue { M = changed };
                return null;
            });
        }

        int index = g.Random.Next(4);
        string element = $"{n}[{index}]";
        return new(remove ? "REMOVE" : "SET", name, remove ? element : $"{element} = {parts.Value(value)}", (before, next) =>
        {
            if (before.GetValueOrDefault(name)?.L is not { } list)
            {
                return InvalidPath;
            }

            List<AttributeValue> changed = [.. list];
            if (remove && index < changed.Count)
            {
                changed.RemoveAt(index);
            }
            else if (!remove && index < changed.Count)
            {
                changed[index] = Canonical(value);
            }
            else if (!remove)
            {
                changed.Add(Canonical(value));
            }

            next[name] = new AttributeValue { L = changed };
            return null;
        });
    }

    private static ModelUpdateAction Set(string name, string placeholder, ExpressionParts parts, AttributeValue value) =>
        new("SET", name, $"{placeholder} = {parts.Value(value)}", (_, next) => { next[name] = Canonical(value); return null; });

    private static AttributeValue Sum(AttributeValue x, AttributeValue y) => N(ModelNumber.Parse(x.N).Add(ModelNumber.Parse(y.N)).ToString());

    private static List<AttributeValue> Members(AttributeValue? set) => set is null ? []
        : set.SS is { Count: > 0 } ? set.SS.Select(S).ToList()
        : set.BS is { Count: > 0 } ? set.BS.Select(m => B(m.ToArray())).ToList()
        : set.NS.Select(m => N(ModelNumber.Parse(m).ToString())).ToList();
}
