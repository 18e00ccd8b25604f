using System.Text.Encodings.Web;
using System.Text.Json;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Reads and writes DynamoDB-JSON attribute values (<c>{"S":"x"}</c>, <c>{"M":{...}}</c>, ...).
/// Wrong JSON types throw a SerializationException at once, as Coral's deserializer does. Value rules (empty sets,
/// duplicates, bad numbers) are checked later by AWS, after member constraints, so the first such message is
/// recorded in <paramref name="valueError"/> and the operation raises it once its own validation has run.
/// </summary>
internal static class AttributeValueJson
{
    /// <summary>Writer settings for responses and stored items: UTF-8 kept as is (smaller, still valid JSON).</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public const string EmptyValue = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
    public const string MultipleTypes =
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>AWS's answer to an attribute name of 64 KiB or more, at any depth (65,535 bytes is the longest allowed).</summary>
    public const string NameTooLarge = "1 validation error detected: Attribute name is too large, must be less than 65536 bytes";

    /// <summary>Whether a name is over the limit; a name of up to 21,845 UTF-16 units cannot be, so most skip the count.</summary>
    public static bool IsNameTooLarge(string name) => name.Length > MaxNameBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes;

    private const int MaxNameBytes = 65535;

    /// <summary>
    /// AWS's answer to an attribute name that is the empty string, at any depth: an item's attribute, a map key inside
    /// a value, a key (names are "at least one character long"; text from AWS captures recorded in dynoxide's
    /// empty_names.rs, where PutItem, UpdateItem and DeleteItem carry it inside this envelope).
    /// </summary>
    public const string EmptyName = "1 validation error detected: " + EmptyNameText;

    /// <summary>The same refusal without the envelope, for messages that wrap it in their own words.</summary>
    public const string EmptyNameText = "Empty attribute name";

    /// <summary>What AWS refuses an attribute name for (empty, or 64 KiB or more); null for a valid name.</summary>
    public static string? NameError(string name) => name.Length == 0 ? EmptyName : IsNameTooLarge(name) ? NameTooLarge : null;

    /// <summary>Reads a map of attribute name to value (an item, a key, ExpressionAttributeValues).</summary>
    public static Dictionary<string, AttributeValue> ReadMap(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Map);
        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        while (JsonRequest.NextMember(ref reader))
        {
            var name = JsonRequest.GetString(ref reader);
            if (NameError(name) is { } nameError) valueError ??= nameError;
            if (!JsonRequest.ValueOf(ref reader)) continue;
            var value = Read(ref reader, ref valueError);
            if (value is not null) map[name] = value;
        }
        return map;
    }

    /// <summary>Reads one attribute value; null when it is invalid (the reason is in <paramref name="valueError"/>).</summary>
    public static AttributeValue? Read(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        AttributeValue? result = null;
        int types = 0;
        string? error = null;
        while (JsonRequest.NextMember(ref reader))
        {
            AttributeType type;
            if (reader.ValueTextEquals("S"u8)) type = AttributeType.S;
            else if (reader.ValueTextEquals("N"u8)) type = AttributeType.N;
            else if (reader.ValueTextEquals("B"u8)) type = AttributeType.B;
            else if (reader.ValueTextEquals("BOOL"u8)) type = AttributeType.BOOL;
            else if (reader.ValueTextEquals("NULL"u8)) type = AttributeType.NULL;
            else if (reader.ValueTextEquals("M"u8)) type = AttributeType.M;
            else if (reader.ValueTextEquals("L"u8)) type = AttributeType.L;
            else if (reader.ValueTextEquals("SS"u8)) type = AttributeType.SS;
            else if (reader.ValueTextEquals("NS"u8)) type = AttributeType.NS;
            else if (reader.ValueTextEquals("BS"u8)) type = AttributeType.BS;
            else
            {
                JsonRequest.SkipValue(ref reader);
                continue;
            }
            if (!JsonRequest.ValueOf(ref reader)) continue;
            types++;
            result = ReadTyped(ref reader, type, ref error);
        }
        if (types == 0) error ??= EmptyValue;
        else if (types > 1) error = MultipleTypes;
        if (error is null) return result;
        valueError ??= error;
        return null;
    }

    private static AttributeValue? ReadTyped(ref Utf8JsonReader reader, AttributeType type, ref string? error)
    {
        switch (type)
        {
            case AttributeType.S:
                return AttributeValue.FromString(JsonRequest.ReadString(ref reader));
            case AttributeType.N:
            {
                var text = JsonRequest.ReadString(ref reader);
                var numberError = DynamoNumber.TryParse(text, out var number);
                if (numberError is null) return AttributeValue.FromNumber(number);
                error ??= numberError;
                return null;
            }
            case AttributeType.B:
                return AttributeValue.FromBinary(JsonRequest.ReadBlob(ref reader));
            case AttributeType.BOOL:
                return AttributeValue.FromBool(JsonRequest.ReadBoolean(ref reader));
            case AttributeType.NULL:
                if (JsonRequest.ReadBoolean(ref reader)) return AttributeValue.Null;
                error ??= Invalid + "Null attribute value types must have the value of true";
                return null;
            case AttributeType.M:
                return AttributeValue.FromMap(ReadMap(ref reader, ref error));
            case AttributeType.L:
            {
                JsonRequest.ExpectArray(ref reader);
                var list = new List<AttributeValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.Null) continue;
                    var element = Read(ref reader, ref error);
                    if (element is not null) list.Add(element);
                }
                return AttributeValue.FromList(list);
            }
            case AttributeType.SS: return ReadStringSet(ref reader, ref error);
            case AttributeType.NS: return ReadNumberSet(ref reader, ref error);
            case AttributeType.BS: return ReadBinarySet(ref reader, ref error);
            default: return null;
        }
    }

    private static AttributeValue? ReadStringSet(ref Utf8JsonReader reader, ref string? error)
    {
        JsonRequest.ExpectArray(ref reader);
        var set = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            set.Add(JsonRequest.ReadString(ref reader));
        }
        if (set.Count == 0) error ??= Invalid + "An string set  may not be empty";
        else if (new HashSet<string>(set, StringComparer.Ordinal).Count != set.Count)
            error ??= Invalid + "Input collection [" + string.Join(", ", set) + "] contains duplicates.";
        return error is null ? AttributeValue.FromStringSet(set) : null;
    }

    private static AttributeValue? ReadNumberSet(ref Utf8JsonReader reader, ref string? error)
    {
        JsonRequest.ExpectArray(ref reader);
        var set = new List<DynamoNumber>();
        var texts = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            var text = JsonRequest.ReadString(ref reader);
            texts.Add(text);
            var numberError = DynamoNumber.TryParse(text, out var number);
            if (numberError is not null) error ??= numberError;
            else set.Add(number);
        }
        if (error is not null) return null;
        if (texts.Count == 0) error = Invalid + "An number set  may not be empty";
        else if (new HashSet<DynamoNumber>(set).Count != set.Count)
            error = Invalid + "Input collection [" + string.Join(", ", texts) + "] contains duplicates.";
        return error is null ? AttributeValue.FromNumberSet(set) : null;
    }

    private static AttributeValue? ReadBinarySet(ref Utf8JsonReader reader, ref string? error)
    {
        JsonRequest.ExpectArray(ref reader);
        var set = new List<byte[]>();
        var texts = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            var bytes = JsonRequest.ReadBlob(ref reader);
            texts.Add(Convert.ToBase64String(bytes));
            set.Add(bytes);
        }
        if (set.Count == 0) error ??= Invalid + "An binary set  may not be empty";
        else if (new HashSet<string>(texts, StringComparer.Ordinal).Count != texts.Count)
            error ??= Invalid + "Input collection [" + string.Join(", ", texts) + "]of type BS contains duplicates.";
        return error is null ? AttributeValue.FromBinarySet(set) : null;
    }

    public static void WriteMap(Utf8JsonWriter writer, Dictionary<string, AttributeValue> map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map)
        {
            writer.WritePropertyName(name);
            Write(writer, value);
        }
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, AttributeValue value)
    {
        writer.WriteStartObject();
        switch (value.Type)
        {
            case AttributeType.S: writer.WriteString("S"u8, value.S); break;
            case AttributeType.N: writer.WriteString("N"u8, value.N.ToString()); break;
            case AttributeType.B: writer.WriteBase64String("B"u8, value.B); break;
            case AttributeType.BOOL: writer.WriteBoolean("BOOL"u8, value.Bool); break;
            case AttributeType.NULL: writer.WriteBoolean("NULL"u8, true); break;
            case AttributeType.M:
                writer.WritePropertyName("M"u8);
                WriteMap(writer, value.M);
                break;
            case AttributeType.L:
                writer.WriteStartArray("L"u8);
                foreach (var element in value.L) Write(writer, element);
                writer.WriteEndArray();
                break;
            case AttributeType.SS:
                writer.WriteStartArray("SS"u8);
                foreach (var s in value.SS) writer.WriteStringValue(s);
                writer.WriteEndArray();
                break;
            case AttributeType.NS:
                writer.WriteStartArray("NS"u8);
                foreach (var n in value.NS) writer.WriteStringValue(n.ToString());
                writer.WriteEndArray();
                break;
            case AttributeType.BS:
                writer.WriteStartArray("BS"u8);
                foreach (var b in value.BS) writer.WriteBase64StringValue(b);
                writer.WriteEndArray();
                break;
        }
        writer.WriteEndObject();
    }

    /// <summary>Parses an item as stored (canonical DynamoDB JSON written by <see cref="WriteMap"/>).</summary>
    public static Dictionary<string, AttributeValue> ParseStored(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: new JsonReaderState(JsonRequest.ReaderOptions));
        reader.Read();
        string? error = null;
        return ReadMap(ref reader, ref error);
    }
}
