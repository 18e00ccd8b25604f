using System.Text.Json;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// One compiled filter pattern (a Filter's Pattern), matched against one record as Lambda sends it: every field the
/// pattern names must match (And), and each <c>$or</c> must have one alternative that matches. Fields the pattern does
/// not name are ignored. Compiled once, at CreateEventSourceMapping or UpdateEventSourceMapping, by
/// <see cref="FilterPatternParser"/>; the poller only matches.
/// </summary>
internal sealed class FilterPattern
{
    private readonly FilterField[] _fields;
    private readonly FilterPattern[][] _alternatives;

    internal FilterPattern(FilterField[] fields, FilterPattern[][] alternatives)
    {
        _fields = fields;
        _alternatives = alternatives;
    }

    /// <summary>True when <paramref name="record"/> (a JSON object) satisfies the pattern.</summary>
    public bool Matches(JsonElement record) => Matches(record, present: true);

    /// <summary>
    /// <paramref name="present"/> false: the node is absent from the record (a nested pattern under a missing field),
    /// where only <c>{"exists": false}</c> rules can still match.
    /// </summary>
    internal bool Matches(JsonElement node, bool present)
    {
        foreach (FilterField field in _fields)
        {
            JsonElement value = default;
            bool has = present && node.ValueKind == JsonValueKind.Object && node.TryGetProperty(field.Name, out value);
            if (!field.Matches(has, value))
            {
                return false;
            }
        }

        foreach (FilterPattern[] alternatives in _alternatives)
        {
            bool any = false;
            foreach (FilterPattern alternative in alternatives)
            {
                if (alternative.Matches(node, present))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// A field a pattern names: either a nested pattern (<c>"dynamodb": { ... }</c>) or a list of rules, any of which may
/// match (<c>"eventName": ["INSERT", "MODIFY"]</c>).
/// </summary>
internal sealed class FilterField(string name, FilterPattern? nested, FilterRule[]? rules)
{
    public string Name { get; } = name;

    public bool Matches(bool present, JsonElement value)
    {
        if (nested is not null)
        {
            if (present && value.ValueKind == JsonValueKind.Array)
            {
                // An array of objects in the record: the nested pattern matches when one element does (EventBridge).
                // Event-ruler flattens arrays (nested ones too) into their elements' fields, so an empty one leaves
                // nothing under the field: the pattern sees it absent, where {"exists": false} matches.
                bool any = false;
                foreach (JsonElement element in Elements(value))
                {
                    any = true;
                    if (nested.Matches(element, present: true))
                    {
                        return true;
                    }
                }

                return !any && nested.Matches(value, present: false);
            }

            return nested.Matches(value, present);
        }

        foreach (FilterRule rule in rules!)
        {
            if (Matches(rule, present, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(FilterRule rule, bool present, JsonElement value)
    {
        if (rule is ExistsRule exists)
        {
            // Only a leaf exists: event-ruler flattens the record into the paths of its scalars, so an object (an
            // intermediate node), an empty list and a list of objects leave no value at this path.
            bool leaf = present && (value.ValueKind == JsonValueKind.Array ? HoldsScalar(value) : value.ValueKind != JsonValueKind.Object);
            return exists.Exists == leaf;
        }

        if (!present)
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            // A list in the record (a DynamoDB SS, NS or L, say): the rule matches when it matches one element.
            foreach (JsonElement element in Elements(value))
            {
                if (element.ValueKind != JsonValueKind.Object && rule.Matches(element))
                {
                    return true;
                }
            }

            return false;
        }

        return value.ValueKind != JsonValueKind.Object && rule.Matches(value);
    }

    /// <summary>A list's elements, those of lists within it in their place (event-ruler flattens nested arrays).</summary>
    private static IEnumerable<JsonElement> Elements(JsonElement array)
    {
        foreach (JsonElement element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement inner in Elements(element))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return element;
            }
        }
    }

    /// <summary>Whether the list holds a scalar (a value at its own path), in it or in a list within it.</summary>
    private static bool HoldsScalar(JsonElement array)
    {
        foreach (JsonElement element in Elements(array))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return true;
            }
        }

        return false;
    }
}
