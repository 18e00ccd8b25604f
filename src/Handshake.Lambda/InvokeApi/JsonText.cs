using System.Text.Json;
using System.Text.Unicode;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// Text in a request body that parses as JSON but cannot be read as strings: bytes that are not UTF-8 inside a string
/// or a member name, or an escaped lone surrogate (<c>"\ud800"</c>). System.Text.Json parses both and throws
/// InvalidOperationException only when a string is read, so an operation that read such a member answered a bare 500
/// (found by ControlPlaneFuzzTests). Lambda's front end (Jackson) refuses bytes that are not UTF-8 while it parses:
/// 400 InvalidRequestContentException "Could not parse request body into json: Invalid UTF-8 start byte 0x80"
/// (aws/aws-toolkit-eclipse#73; "Invalid UTF-8 middle byte 0x28" in aws-samples/aws-waf-ipset-auto-update-aws-ip-ranges#1).
/// </summary>
internal static class JsonText
{
    /// <summary>
    /// What is wrong with the text of a parsed body, in the words after Lambda's prefix; null when every string reads.
    /// </summary>
    /// <remarks>
    /// Jackson takes an overlong encoding, an encoded surrogate and an escaped lone surrogate as text (a Java string may
    /// hold a lone surrogate); a .NET string cannot, so they are refused here too, with System.Text.Json's own message,
    /// as the host words the JSON syntax errors it refuses (<see cref="JsonResponse.ReadAsync"/>).
    /// </remarks>
    public static string? Unreadable(ReadOnlySpan<byte> body, JsonElement root)
    {
        // Only a body that is not valid UTF-8, or holds a \u escape, can hold a string .NET cannot read: the others
        // (a CreateFunction's 50 MB of base64, say) are scanned once and not walked.
        if (Utf8.IsValid(body))
        {
            if (body.IndexOf("\\u"u8) < 0)
            {
                return null;
            }
        }
        else if (FirstBreak(body) is { } invalid)
        {
            return invalid;
        }

        try
        {
            Read(root);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Jackson's message for the first byte that breaks UTF-8 (its hex in lower case, unpadded, as Java's
    /// Integer.toHexString writes it), without the location (<c>at [Source: ...; line: 1, column: 3]</c>) Jackson
    /// appends on a second line; null for valid UTF-8, and for the overlong and surrogate encodings Jackson decodes.
    /// </summary>
    public static string? InvalidUtf8(ReadOnlySpan<byte> text) => Utf8.IsValid(text) ? null : FirstBreak(text);

    // InvalidUtf8 for text known not to be valid UTF-8.
    private static string? FirstBreak(ReadOnlySpan<byte> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            byte first = text[i];
            int length = first < 0x80 ? 1 : (first & 0xE0) == 0xC0 ? 2 : (first & 0xF0) == 0xE0 ? 3 : (first & 0xF8) == 0xF0 ? 4 : 0;
            if (length == 0)
            {
                return $"Invalid UTF-8 start byte 0x{first:x}";
            }

            for (int k = 1; k < length && i + k < text.Length; k++)
            {
                if ((text[i + k] & 0xC0) != 0x80)
                {
                    return $"Invalid UTF-8 middle byte 0x{text[i + k]:x}";
                }
            }

            i += length;
        }

        return null;
    }

    private static void Read(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Read(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Read(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
