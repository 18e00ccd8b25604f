using System.Globalization;
using System.Text.Json;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// One element of a filter pattern's value list (<c>"eventName": [ rule, rule ]</c>): tested against one value of the
/// record, a string, number, boolean or null, never an object (EventBridge's rules only ever compare leaves). A value
/// list matches when any of its rules does.
/// </summary>
internal abstract class FilterRule
{
    public abstract bool Matches(JsonElement value);
}

/// <summary>
/// A literal: <c>"INSERT"</c>, <c>5</c>, <c>true</c>, <c>null</c> (and <c>""</c>, Lambda's "Empty"). Numbers compare by
/// their JSON text, as Lambda documents ("300, 300.0, and 3.0e2 are not considered equal"); a string never equals a
/// number, so <c>{"N": [5]}</c> does not match DynamoDB's <c>{"N": "5"}</c> (write <c>{"N": ["5"]}</c>).
/// </summary>
internal sealed class ExactRule(JsonValueKind kind, string? text) : FilterRule
{
    public JsonValueKind Kind { get; } = kind;

    public override bool Matches(JsonElement value) => value.ValueKind == Kind && Kind switch
    {
        JsonValueKind.String => value.GetString() == text,
        JsonValueKind.Number => value.GetRawText() == text,
        _ => true, // true, false and null are their kind
    };
}

/// <summary><c>{"equals-ignore-case": "alice"}</c>: strings only.</summary>
internal sealed class EqualsIgnoreCaseRule(string text) : FilterRule
{
    public override bool Matches(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), text, StringComparison.OrdinalIgnoreCase);
}

/// <summary><c>{"prefix": "us-"}</c> (Begins with): strings only, case-sensitive.</summary>
internal sealed class PrefixRule(string prefix) : FilterRule
{
    public override bool Matches(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.StartsWith(prefix, StringComparison.Ordinal);
}

/// <summary><c>{"suffix": ".png"}</c> (Ends with): strings only, case-sensitive.</summary>
internal sealed class SuffixRule(string suffix) : FilterRule
{
    public override bool Matches(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.EndsWith(suffix, StringComparison.Ordinal);
}

/// <summary>
/// <c>{"anything-but": ...}</c> (Not): matches a present value that none of <paramref name="excluded"/> matches. With
/// a prefix, suffix or equals-ignore-case inside it, a number, boolean or null always matches, since those rules only
/// ever match strings (LocalStack's AWS-validated content_anything_prefix_int_value and _null templates). An absent
/// field never matches: anything-but tests a value, and there is none.
/// </summary>
internal sealed class AnythingButRule(FilterRule[] excluded) : FilterRule
{
    public override bool Matches(JsonElement value)
    {
        foreach (FilterRule rule in excluded)
        {
            if (rule.Matches(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// <c>{"numeric": [">", 10, "<=", 20]}</c> or <c>["=", 100]</c>: JSON numbers only, compared as numbers. A DynamoDB N
/// value is a string in the record (<c>{"N": "42"}</c>), so numeric never matches it (as on AWS); it does match
/// numbers such as dynamodb.ApproximateCreationDateTime and SizeBytes.
/// </summary>
internal sealed class NumericRule(double? lower, bool lowerInclusive, double? upper, bool upperInclusive) : FilterRule
{
    public override bool Matches(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number
            || !double.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            return false;
        }

        if (lower is { } low && (lowerInclusive ? number < low : number <= low))
        {
            return false;
        }

        return upper is not { } high || (upperInclusive ? number <= high : number < high);
    }
}

/// <summary>
/// <c>{"exists": true}</c> / <c>{"exists": false}</c>: whether the field is there as a leaf. Lambda: "the Exists
/// operator only works on leaf nodes", so an object (an intermediate node) does not exist for it. An absent field is
/// decided by <see cref="FilterField"/>, which alone knows the field is missing (no value reaches a rule then).
/// </summary>
internal sealed class ExistsRule(bool exists) : FilterRule
{
    public bool Exists { get; } = exists;

    public override bool Matches(JsonElement value) => Exists == (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined));
}
