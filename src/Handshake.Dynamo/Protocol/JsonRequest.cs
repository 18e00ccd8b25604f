using System.Text;
using System.Text.Json;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// The JSON shapes of the DynamoDB API model, used to produce the Coral deserializer's exact messages when a member
/// arrives with the wrong JSON type (e.g. <c>"class java.lang.Integer can not be converted to an String"</c>).
/// </summary>
internal enum JsonShape
{
    String, Boolean, Long, Integer, Double, Blob, List, Map, Structure,
}

/// <summary>
/// Small readers over <see cref="Utf8JsonReader"/> shared by every operation's request parser. Requests are parsed
/// once, forward-only, straight from the pooled body bytes; no reflection-based JSON on the hot path.
/// Every method expects the reader positioned on the member's value token.
/// </summary>
internal static class JsonRequest
{
    // AWS nests attribute values up to 32 levels; each level is two JSON objects, plus the request envelope.
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 80, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Positions a new reader on the top-level object, rejecting other top-level shapes.</summary>
    public static Utf8JsonReader Begin(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: true, state: new JsonReaderState(ReaderOptions));
        if (!reader.Read()) throw DynamoException.Serialization(null);
        if (reader.TokenType != JsonTokenType.StartObject) throw WrongType(ref reader, JsonShape.Structure);
        return reader;
    }

    /// <summary>Advances to the next member name of the current object; false at its end.</summary>
    public static bool NextMember(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.PropertyName) return true;
        // The end of the request object: anything after it but whitespace is malformed JSON (Read throws then).
        if (reader.CurrentDepth == 0 && reader.Read()) throw DynamoException.Serialization(null);
        return false;
    }

    /// <summary>Moves from a member name to its value; true unless the value is JSON null (which AWS treats as absent).</summary>
    public static bool ValueOf(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType != JsonTokenType.Null;
    }

    /// <summary>Skips the value of an unknown member: the Coral deserializer ignores members it does not model.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    public static string ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) throw WrongType(ref reader, JsonShape.String);
        return GetString(ref reader);
    }

    public static string GetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string literal.
            throw DynamoException.Serialization(null);
        }
    }

    public static bool ReadBoolean(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Number when !IsIntegral(ref reader):
                // Coral quirk: a floating-point value converts, by magnitude.
                return Math.Abs(reader.GetDouble()) >= 1;
            case JsonTokenType.String:
            {
                var text = GetString(ref reader);
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
                throw DynamoException.Serialization("'" + text.ToUpperInvariant() + "' can not be converted to an Boolean");
            }
            default: throw WrongType(ref reader, JsonShape.Boolean);
        }
    }

    public static long ReadLong(ref Utf8JsonReader reader, JsonShape shape = JsonShape.Long)
    {
        if (reader.TokenType != JsonTokenType.Number) throw WrongType(ref reader, shape);
        if (reader.TryGetInt64(out var value)) return value;
        // Coral truncates fractional values for integral members; huge values saturate.
        var d = reader.GetDouble();
        return d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)Math.Floor(d);
    }

    /// <summary>
    /// A structure of two optional long members, any other member skipped (OnDemandThroughput's Max*RequestUnits,
    /// WarmThroughput's *UnitsPerSecond); a null member counts as absent.
    /// </summary>
    public static (long? First, long? Second) ReadLongPair(ref Utf8JsonReader reader, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        ExpectObject(ref reader, JsonShape.Structure);
        long? a = null, b = null;
        while (NextMember(ref reader))
        {
            if (reader.ValueTextEquals(first)) { if (ValueOf(ref reader)) a = ReadLong(ref reader); }
            else if (reader.ValueTextEquals(second)) { if (ValueOf(ref reader)) b = ReadLong(ref reader); }
            else SkipValue(ref reader);
        }
        return (a, b);
    }

    public static byte[] ReadBlob(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) throw WrongType(ref reader, JsonShape.Blob);
        if (reader.TryGetBytesFromBase64(out var bytes)) return bytes;
        throw InvalidBase64(GetString(ref reader));
    }

    public static void ExpectObject(ref Utf8JsonReader reader, JsonShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw WrongType(ref reader, shape);
    }

    public static void ExpectArray(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw WrongType(ref reader, JsonShape.List);
    }

    /// <summary>The Coral deserializer's message for a value of the wrong JSON type.</summary>
    public static DynamoException WrongType(ref Utf8JsonReader reader, JsonShape expected)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.StartArray && expected != JsonShape.List)
            return DynamoException.Serialization("Start of list found where not expected");
        if (token == JsonTokenType.StartObject && expected is not (JsonShape.Map or JsonShape.Structure))
            return DynamoException.Serialization("Start of structure or map found where not expected.");
        switch (expected)
        {
            case JsonShape.List:
                return token == JsonTokenType.StartObject
                    ? DynamoException.Serialization("Start of structure or map found where not expected.")
                    : DynamoException.Serialization("Expected list or null");
            case JsonShape.Map: return DynamoException.Serialization("Expected map or null");
            case JsonShape.Structure: return DynamoException.Serialization("Expected null");
        }
        string actual = token switch
        {
            JsonTokenType.True or JsonTokenType.False => "java.lang.Boolean",
            JsonTokenType.String => "java.lang.String",
            JsonTokenType.Number => NumberClass(ref reader),
            _ => "java.lang.Object",
        };
        string article = expected == JsonShape.Blob ? "a" : "an";
        return DynamoException.Serialization("class " + actual + " can not be converted to " + article + " " + expected);
    }

    private static bool IsIntegral(ref Utf8JsonReader reader) => reader.TryGetInt64(out _);

    // Jackson picks the narrowest boxed type for an integral literal; any fraction or exponent makes a Double.
    private static string NumberClass(ref Utf8JsonReader reader)
    {
        if (!reader.TryGetInt64(out var value)) return "java.lang.Double";
        return value is >= short.MinValue and <= short.MaxValue ? "java.lang.Short"
            : value is >= int.MinValue and <= int.MaxValue ? "java.lang.Integer" : "java.lang.Long";
    }

    private static DynamoException InvalidBase64(string text)
    {
        string prefix = "'" + text + "' can not be converted to a Blob: ";
        if (text.Length % 4 != 0)
            return DynamoException.Serialization(prefix + "Base64 encoded length is expected a multiple of 4 bytes but found: " + text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '+' or '/' or '=';
            if (!valid || (c == '=' && i + 1 < text.Length && text[i + 1] != '='))
                return DynamoException.Serialization(prefix + "Invalid Base64 character: '" + c + "'");
        }
        return DynamoException.Serialization(prefix + "Invalid last non-pad Base64 character dectected");
    }

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
