using System.Globalization;
using System.Text.Json;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// Compiles a Filter's Pattern (a JSON string) into a <see cref="FilterPattern"/>, accepting exactly the operators of
/// Lambda's "Filter rule syntax" table: literals (strings, numbers, true, false, null, ""), equals-ignore-case, prefix,
/// suffix, anything-but (a value, a list of values, or a prefix, suffix or equals-ignore-case inside it), numeric (one
/// comparison, or a lower and an upper bound), exists, and <c>$or</c>. Anything else (not JSON, not an object, a field
/// whose value is neither a list nor an object, an empty list, an unknown operator such as EventBridge's wildcard or
/// cidr, which Lambda does not list) is refused: Lambda validates patterns when the mapping is made, so that no
/// pattern that could never match silently drops every record.
/// </summary>
internal static class FilterPatternParser
{
    /// <summary>The compiled pattern, or null when Lambda would answer "Invalid filter pattern definition.".</summary>
    public static FilterPattern? Parse(string pattern)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(pattern);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // {} is refused, as any empty object is (event-ruler: "Empty objects are not allowed").
            return root.EnumerateObject().Any() ? ParseObject(root, insideOr: false) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Event-ruler's reserved names (its operators, numeric's comparisons, and names it keeps for later), which it
    /// refuses as field names inside <c>$or</c> ("... is Ruler reserved fieldName which cannot be used inside $or."),
    /// where a misplaced operator would otherwise read as a field.
    /// </summary>
    private static readonly HashSet<string> ReservedInOr =
    [
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr", "html",
        "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after", "date-on-or-after",
        "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    ];

    /// <param name="insideOr">The object is (within) an alternative of a <c>$or</c>, where reserved names are refused.</param>
    private static FilterPattern? ParseObject(JsonElement node, bool insideOr)
    {
        List<FilterField> fields = [];
        List<FilterPattern[]> alternatives = [];
        foreach (JsonProperty property in node.EnumerateObject())
        {
            JsonElement value = property.Value;
            if (property.Name == "$or")
            {
                // "$or": [ { "Location": [...] }, { "Day": [...] } ]: each alternative a pattern of its own, and at
                // least two of them (event-ruler: "There must have at least 2 Objects in $or relationship.").
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < 2)
                {
                    return null;
                }

                List<FilterPattern> choices = [];
                foreach (JsonElement choice in value.EnumerateArray())
                {
                    if (choice.ValueKind != JsonValueKind.Object || !choice.EnumerateObject().Any() || ParseObject(choice, insideOr: true) is not { } compiled)
                    {
                        return null;
                    }

                    choices.Add(compiled);
                }

                alternatives.Add([.. choices]);
            }
            else if (insideOr && ReservedInOr.Contains(property.Name))
            {
                return null;
            }
            else if (value.ValueKind == JsonValueKind.Object)
            {
                if (!value.EnumerateObject().Any() || ParseObject(value, insideOr) is not { } nested)
                {
                    return null;
                }

                fields.Add(new FilterField(property.Name, nested, null));
            }
            else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
            {
                List<FilterRule> rules = [];
                foreach (JsonElement element in value.EnumerateArray())
                {
                    if (ParseRule(element) is not { } rule)
                    {
                        return null;
                    }

                    rules.Add(rule);
                }

                fields.Add(new FilterField(property.Name, null, [.. rules]));
            }
            else
            {
                // "eventName": "INSERT" (a bare value) or []: EventBridge's syntax wants a non-empty list of rules.
                return null;
            }
        }

        return new FilterPattern([.. fields], [.. alternatives]);
    }

    private static FilterRule? ParseRule(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new ExactRule(JsonValueKind.String, element.GetString());
            case JsonValueKind.Number:
                return new ExactRule(JsonValueKind.Number, element.GetRawText());
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Null:
                return new ExactRule(element.ValueKind, null);
            case JsonValueKind.Object:
                break;
            default:
                return null;
        }

        // An operator: an object of exactly one member.
        using JsonElement.ObjectEnumerator members = element.EnumerateObject();
        if (!members.MoveNext())
        {
            return null;
        }

        JsonProperty only = members.Current;
        if (members.MoveNext())
        {
            return null;
        }

        JsonElement operand = only.Value;
        return only.Name switch
        {
            "prefix" => operand.ValueKind == JsonValueKind.String ? new PrefixRule(operand.GetString()!) : null,
            "suffix" => operand.ValueKind == JsonValueKind.String ? new SuffixRule(operand.GetString()!) : null,
            "equals-ignore-case" => operand.ValueKind == JsonValueKind.String ? new EqualsIgnoreCaseRule(operand.GetString()!) : null,
            "exists" => operand.ValueKind is JsonValueKind.True or JsonValueKind.False ? new ExistsRule(operand.GetBoolean()) : null,
            "numeric" => ParseNumeric(operand),
            "anything-but" => ParseAnythingBut(operand),
            _ => null,
        };
    }

    /// <summary>
    /// <c>"anything-but": "Raining"</c>, <c>["Raining", "Snowing"]</c>, <c>[100, 200]</c>, or one of
    /// <c>{"prefix": "us-"}</c>, <c>{"suffix": ".png"}</c>, <c>{"equals-ignore-case": "x"}</c> (or a list of those strings).
    /// </summary>
    private static AnythingButRule? ParseAnythingBut(JsonElement operand)
    {
        switch (operand.ValueKind)
        {
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return new AnythingButRule([ParseRule(operand)!]);
            case JsonValueKind.Array:
                if (operand.GetArrayLength() == 0)
                {
                    return null;
                }

                // All strings or all numbers: event-ruler refuses a mixed list ("either all values are number or
                // string, mixed type is not supported").
                JsonValueKind kind = operand[0].ValueKind;
                List<FilterRule> excluded = [];
                foreach (JsonElement value in operand.EnumerateArray())
                {
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number) || value.ValueKind != kind)
                    {
                        return null;
                    }

                    excluded.Add(ParseRule(value)!);
                }

                return new AnythingButRule([.. excluded]);
            case JsonValueKind.Object:
                using (JsonElement.ObjectEnumerator members = operand.EnumerateObject())
                {
                    if (!members.MoveNext())
                    {
                        return null;
                    }

                    JsonProperty only = members.Current;
                    if (members.MoveNext())
                    {
                        return null;
                    }

                    List<string>? texts = Strings(only.Value);
                    if (texts is null)
                    {
                        return null;
                    }

                    // A prefix or suffix may be a list too (LocalStack's AWS-validated content_anything_prefix_list),
                    // but never "" (event-ruler: "Null prefix/suffix not allowed").
                    FilterRule[]? rules = only.Name switch
                    {
                        "prefix" when !texts.Contains("") => texts.ConvertAll(t => (FilterRule)new PrefixRule(t)).ToArray(),
                        "suffix" when !texts.Contains("") => texts.ConvertAll(t => (FilterRule)new SuffixRule(t)).ToArray(),
                        "equals-ignore-case" => texts.ConvertAll(t => (FilterRule)new EqualsIgnoreCaseRule(t)).ToArray(),
                        _ => null,
                    };
                    return rules is null ? null : new AnythingButRule(rules);
                }

            default:
                return null;
        }
    }

    /// <summary>A string, or a non-empty list of strings; null for anything else.</summary>
    private static List<string>? Strings(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            return null;
        }

        List<string> texts = [];
        foreach (JsonElement element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            texts.Add(element.GetString()!);
        }

        return texts;
    }

    /// <summary>
    /// <c>["=", 100]</c>, <c>["&lt;", 5]</c> and the like (one comparison), or a range: a lower bound (&gt; or &gt;=) and an
    /// upper one (&lt; or &lt;=) in that order, <c>[">", 10, "&lt;=", 20]</c>, whose lower bound is strictly below its upper.
    /// </summary>
    private static NumericRule? ParseNumeric(JsonElement operand)
    {
        if (operand.ValueKind != JsonValueKind.Array || operand.GetArrayLength() is not (2 or 4))
        {
            return null;
        }

        double? lower = null, upper = null;
        bool lowerInclusive = false, upperInclusive = false;
        JsonElement[] items = [.. operand.EnumerateArray()];
        for (int i = 0; i < items.Length; i += 2)
        {
            if (items[i].ValueKind != JsonValueKind.String || items[i + 1].ValueKind != JsonValueKind.Number
                || !double.TryParse(items[i + 1].GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out double bound)
                || !double.IsFinite(bound))
            {
                return null;
            }

            switch (items[i].GetString())
            {
                case "=" when items.Length == 2:
                    (lower, lowerInclusive, upper, upperInclusive) = (bound, true, bound, true);
                    break;
                // A range is a lower bound then an upper one, in that order (event-ruler reads ["<", 20, ">", 10] as
                // "<" followed by too many elements).
                case ">" or ">=" when i == 0:
                    (lower, lowerInclusive) = (bound, items[i].GetString() == ">=");
                    break;
                case "<" or "<=" when upper is null && (i == 0 || lower is not null):
                    (upper, upperInclusive) = (bound, items[i].GetString() == "<=");
                    break;
                default:
                    return null;
            }
        }

        // "Bottom must be less than top", strictly: even [">=", 5, "<=", 5] is refused (write ["=", 5]).
        if (items.Length == 4 && lower >= upper)
        {
            return null;
        }

        return new NumericRule(lower, lowerInclusive, upper, upperInclusive);
    }
}
