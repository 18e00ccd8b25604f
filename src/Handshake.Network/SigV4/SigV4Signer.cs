using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Handshake.Network.SigV4;

/// <summary>
/// Signs an outgoing request with Signature V4, for Handshake's own clients (<c>handshake invoke</c>, <c>handshake bench --endpoint</c>), so that they work
/// against <c>--auth strict</c> like any SDK. It builds the canonical request the way <see cref="SigV4Verifier"/>
/// rebuilds it on arrival (the same path encoding and query sorting), over host, x-amz-date and, with temporary
/// credentials, x-amz-security-token.
/// </summary>
public static class SigV4Signer
{
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, string accessKeyId, SigV4Credentials credentials,
        string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        (string amzDate, string authorization) = Authorize(request.Method.Method, uri, body, accessKeyId, credentials, region, service, now);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { } token)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>
    /// The X-Amz-Date and Authorization header values for a request (and, with temporary credentials, it must carry
    /// X-Amz-Security-Token: the session token), for a client that writes its own HTTP, such as the bench's Invoke client.
    /// </summary>
    public static (string AmzDate, string Authorization) Authorize(string method, Uri uri, ReadOnlySpan<byte> body, string accessKeyId,
        SigV4Credentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string day = amzDate[..8];
        List<(string Name, string Value)> headers = [("host", uri.IsDefaultPort ? uri.Host : uri.Authority), ("x-amz-date", amzDate)];
        if (credentials.SessionToken is { } token)
        {
            headers.Add(("x-amz-security-token", token));
        }

        string signedHeaders = string.Join(';', headers.Select(h => h.Name));
        StringBuilder canonical = new(256);
        canonical.Append(method).Append('\n');
        canonical.Append(CanonicalRequest.Encode(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath, keepSlash: true)).Append('\n');
        CanonicalRequest.AppendQuery(canonical, uri.Query.TrimStart('?'));
        canonical.Append('\n');
        foreach ((string name, string value) in headers) canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n');
        canonical.Append(Convert.ToHexStringLower(SHA256.HashData(body)));

        string scope = $"{day}/{region}/{service}/aws4_request";
        string stringToSign = $"{SigV4Verifier.Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        byte[] key = SigV4Verifier.SigningKey(credentials.SecretAccessKey, day, region, service);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return (amzDate, $"{SigV4Verifier.Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }
}
