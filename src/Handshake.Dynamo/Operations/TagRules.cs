using System.Globalization;
using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DynamoDB's checks on tags, shared by CreateTable, TagResource and UntagResource. AWS does not answer these with the
/// model's <c>1 validation error detected: ...</c> form: the tagging backend has texts of its own, all
/// ValidationException, and refuses the whole request (captured from AWS in us-east-1 and us-west-2 by the
/// ack-api-quirks project, DDB-TABLE-105 to -110 and -372).
/// </summary>
internal static class TagRules
{
    /// <summary>At most 50 tags on a resource, counted after a TagResource's pairs are merged into the table's.</summary>
    public const int MaxTags = 50;

    public const string TooMany = "Number of Tags exceed the current limit for the provided ResourceArn";

    private const int MaxKeyLength = 128;
    private const int MaxValueLength = 256;

    /// <summary>Each tag in request order: its key, the reserved <c>aws:</c> prefix, its value, a key given twice.</summary>
    public static void Check(List<(string? Key, string? Value)> tags)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            CheckKey(key);
            if (!IsValid(value, 0, MaxValueLength)) throw DynamoException.Validation("The Tag Value provided is invalid, Value: " + (value ?? "null"));
            if (!seen.Add(key!)) throw DynamoException.Validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + key);
        }
        if (tags.Count > MaxTags) throw DynamoException.Validation(TooMany);
    }

    /// <summary>One key, as TagResource's and UntagResource's: 1-128 characters of the tag alphabet, not <c>aws:</c>.</summary>
    public static void CheckKey(string? key)
    {
        if (!IsValid(key, 1, MaxKeyLength)) throw DynamoException.Validation("The Tag Key provided is invalid, Key: " + (key ?? "null"));
        // Any case: AWS refuses AWS:foo as it does aws:foo (and accepts myaws:foo).
        if (key!.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw DynamoException.Validation("Tag Key cannot be prefixed with aws:, Key: " + key);
    }

    /// <summary>
    /// AWS's tag pattern <c>^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$</c> and its length in Unicode characters (code points, so
    /// 128 letters outside the BMP are still one key): letters of any script pass, an emoji or a comma does not.
    /// </summary>
    private static bool IsValid(string? text, int min, int max)
    {
        if (text is null) return false;
        int count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (++count > max) return false;
            var category = Rune.GetUnicodeCategory(rune);
            bool allowed = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                    or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                || rune.Value is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@';
            if (!allowed) return false;
        }
        return count >= min;
    }
}
