using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// A minimal SigV4 signer written from AWS's specification, separately from the server's verifier, for raw requests
/// whose path needs no encoding and has no query: it signs host and x-amz-date (and the session token when there is one).
/// The SDK tests prove the verifier against real signers; this one only makes raw requests convenient.
/// </summary>
internal static class TestSigner
{
    public sealed record Signature(string AmzDate, string Authorization);

    public static Signature Sign(string method, string path, string host, byte[] body, string accessKeyId, string secretAccessKey,
        string service, DateTimeOffset at, string? sessionToken = null)
    {
        string amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string day = amzDate[..8];
        string signedHeaders = sessionToken is null ? "host;x-amz-date" : "host;x-amz-date;x-amz-security-token";
        string headers = $"host:{host}\nx-amz-date:{amzDate}\n" + (sessionToken is null ? "" : $"x-amz-security-token:{sessionToken}\n");
        string canonical = $"{method}\n{path}\n\n{headers}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        string scope = $"{day}/us-east-1/{service}/aws4_request";
        string toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (string part in new[] { day, "us-east-1", service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        string signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return new(amzDate, $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>A request to <paramref name="endpoint"/> signed with the given key (and session token).</summary>
    public static HttpRequestMessage Request(HttpMethod method, Uri endpoint, string path, string? body, string accessKeyId, string secretAccessKey,
        string service = "lambda", string? sessionToken = null)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body ?? "");
        Signature signature = Sign(method.Method, path, endpoint.Authority, bytes, accessKeyId, secretAccessKey, service, DateTimeOffset.UtcNow, sessionToken);
        HttpRequestMessage request = new(method, new Uri(endpoint, path));
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        if (sessionToken is not null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        if (body is not null) request.Content = new ByteArrayContent(bytes);
        return request;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
