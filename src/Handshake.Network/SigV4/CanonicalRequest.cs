using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Network.SigV4;

/// <summary>
/// The SigV4 canonical request rebuilt from what arrived on the wire: method, the path URI-encoded (again: SDKs sign
/// the already-encoded path of every service but S3 encoded a second time), the sorted query, the signed headers'
/// trimmed values in the order the client listed them, the signed-header list and the hex SHA-256 of the body.
/// </summary>
internal static class CanonicalRequest
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    public static string Build(HttpRequest request, string signedHeaders, ReadOnlySpan<byte> body)
    {
        string rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        int question = rawTarget.IndexOf('?');
        string rawPath = question < 0 ? rawTarget : rawTarget[..question];
        string rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];

        StringBuilder canonical = new(512);
        canonical.Append(request.Method).Append('\n');
        canonical.Append(rawPath.Length == 0 ? "/" : Encode(rawPath, keepSlash: true)).Append('\n');
        AppendQuery(canonical, rawQuery);
        canonical.Append('\n');
        foreach (string name in signedHeaders.Split(';'))
        {
            canonical.Append(name).Append(':');
            AppendHeaderValue(canonical, request, name);
            canonical.Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n');
        canonical.Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        return canonical.ToString();
    }

    private static void AppendHeaderValue(StringBuilder canonical, HttpRequest request, string name)
    {
        // Several values of one header are joined with commas; each is trimmed and inner runs of spaces collapse.
        string[] values = request.Headers[name].ToArray()!;
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) canonical.Append(',');
            bool space = false;
            foreach (char c in (values[i] ?? "").AsSpan().Trim())
            {
                if (c == ' ')
                {
                    if (!space) canonical.Append(' ');
                    space = true;
                    continue;
                }

                space = false;
                canonical.Append(c);
            }
        }
    }

    internal static void AppendQuery(StringBuilder canonical, string rawQuery)
    {
        if (rawQuery.Length == 0) return;
        List<(string Key, string Value)> parameters = [];
        foreach (string pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            string value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            parameters.Add((Encode(key, keepSlash: false), Encode(value, keepSlash: false)));
        }

        parameters.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var byKey && byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value));
        for (int i = 0; i < parameters.Count; i++)
        {
            if (i > 0) canonical.Append('&');
            canonical.Append(parameters[i].Key).Append('=').Append(parameters[i].Value);
        }
    }

    /// <summary>RFC 3986 encoding as SigV4 defines it: everything but unreserved characters as %XX of its UTF-8 bytes.</summary>
    internal static string Encode(string text, bool keepSlash)
    {
        if (!text.AsSpan().ContainsAnyExcept(Unreserved) || (keepSlash && !text.AsSpan().ContainsAnyExcept(UnreservedOrSlash)))
        {
            return text;
        }

        StringBuilder encoded = new(text.Length * 2);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            if (b < 0x80 && (Unreserved.Contains(c) || (keepSlash && c == '/')))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return encoded.ToString();
    }

    private static readonly SearchValues<char> UnreservedOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/");
}
