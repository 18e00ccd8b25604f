using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Handshake.Network.SigV4;

/// <summary>
/// Verifies AWS Signature Version 4 on a request against known credentials (<c>--auth strict</c>): the header's
/// shape, the timestamp within AWS's 15-minute window, the credential scope, the access key, then the signature itself
/// (canonical request, string to sign, the HMAC-SHA256 key chain) and the session token. Each refusal carries the
/// error AWS sends in the same order of checks. Signatures and tokens are compared in constant time.
/// </summary>
public sealed class SigV4Verifier
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>How far a request's timestamp may be from the server's clock, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private const string BasicFormat = "yyyyMMdd'T'HHmmss'Z'";
    private readonly Func<string, SigV4Credentials?> _credentials;
    private readonly string? _service;
    private readonly TimeProvider _clock;

    /// <param name="credentials">The secret (and session token) for an access key id, or null for a key nobody issued.</param>
    /// <param name="service">The service the credential scope must name, e.g. "dynamodb"; null accepts any (the admin routes).</param>
    /// <param name="clock">The server's clock, for the 15-minute window.</param>
    public SigV4Verifier(Func<string, SigV4Credentials?> credentials, string? service, TimeProvider clock)
    {
        _credentials = credentials;
        _service = service;
        _clock = clock;
    }

    /// <summary>Null when the request is signed by a known key; otherwise why not.</summary>
    public SigV4Failure? Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        string? authorization = request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(authorization) || !authorization.TrimStart().StartsWith("AWS4-", StringComparison.Ordinal))
        {
            return SigV4Failure.Missing();
        }

        string? amzDate = request.Headers["X-Amz-Date"];
        string? httpDate = request.Headers.Date;
        SigV4Header? header = SigV4Header.Parse(authorization, !string.IsNullOrEmpty(amzDate) || !string.IsNullOrEmpty(httpDate), out SigV4Failure? incomplete);
        if (header is null)
        {
            return incomplete;
        }

        string dateText = !string.IsNullOrEmpty(amzDate) ? amzDate : httpDate!;
        if (!TryParseDate(dateText, isAmzDate: !string.IsNullOrEmpty(amzDate), out DateTimeOffset signedAt))
        {
            return SigV4Failure.Incomplete($"Date must be in ISO-8601 'basic format'. Got '{dateText}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        if (CheckWindow(signedAt) is { } outside)
        {
            return outside;
        }

        if (!ContainsHost(header.SignedHeaders))
        {
            return SigV4Failure.Invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (header.Algorithm != Algorithm)
        {
            return SigV4Failure.Incomplete($"Unsupported AWS 'algorithm': '{header.Algorithm}' (only {Algorithm} for now). ");
        }

        string[] scope = header.Credential.TrimEnd('/').Split('/');
        if (scope.Length != 5)
        {
            return SigV4Failure.Incomplete(
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{header.Credential}'");
        }

        string signedDay = signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (CheckScope(scope, signedDay, signedAt) is { } badScope)
        {
            return badScope;
        }

        if (_credentials(scope[0]) is not { } credentials)
        {
            return SigV4Failure.UnknownKey();
        }

        string canonicalRequest = CanonicalRequest.Build(request, header.SignedHeaders, body);
        string stringToSign = Algorithm + "\n" + signedAt.ToString(BasicFormat, CultureInfo.InvariantCulture) + "\n"
            + string.Join('/', scope, 1, 4) + "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        byte[] key = SigningKey(credentials.SecretAccessKey, scope[1], scope[2], scope[3]);
        byte[] expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header.Signature)))
        {
            return SigV4Failure.SignatureMismatch();
        }

        return CheckSessionToken(credentials.SessionToken, request.Headers["X-Amz-Security-Token"].ToString());
    }

    // The token must be the key's own: missing when the key has one, or present when it is another or the key has
    // none (a long-term key with a stale AWS_SESSION_TOKEN beside it is refused by AWS, not accepted).
    private static SigV4Failure? CheckSessionToken(string? expected, string presented)
    {
        if (expected is null)
        {
            return presented.Length == 0 ? null : SigV4Failure.BadSessionToken();
        }

        if (presented.Length == 0)
        {
            return SigV4Failure.MissingSessionToken();
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented))
            ? null
            : SigV4Failure.BadSessionToken();
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    internal static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    private SigV4Failure? CheckWindow(DateTimeOffset signedAt)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        string Basic(DateTimeOffset t) => t.ToString(BasicFormat, CultureInfo.InvariantCulture);
        if (signedAt < now - Window)
        {
            return SigV4Failure.Invalid($"Signature expired: {Basic(signedAt)} is now earlier than {Basic(now - Window)} ({Basic(now)} - 15 min.)");
        }

        if (signedAt > now + Window)
        {
            return SigV4Failure.Invalid($"Signature not yet current: {Basic(signedAt)} is still later than {Basic(now + Window)} ({Basic(now)} + 15 min.)");
        }

        return null;
    }

    private SigV4Failure? CheckScope(string[] scope, string signedDay, DateTimeOffset signedAt)
    {
        StringBuilder message = new();
        if (scope[2].Length == 0 || !scope[2].AsSpan().ContainsAnyInRange('a', 'z') || scope[2].AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-"))
        {
            message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped to a valid region, not '{scope[2]}'. ");
        }

        if (_service is not null && scope[3] != _service)
        {
            message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped to correct service: '{_service}'. ");
        }

        if (scope[4] != "aws4_request")
        {
            message.Append(CultureInfo.InvariantCulture, $"Credential should be scoped with a valid terminator: 'aws4_request', not '{scope[4]}'. ");
        }

        if (scope[1] != signedDay)
        {
            message.Append(CultureInfo.InvariantCulture,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{signedDay}', from '{signedAt.ToString(BasicFormat, CultureInfo.InvariantCulture)}'.");
        }

        return message.Length == 0 ? null : SigV4Failure.Invalid(message.ToString().TrimEnd());
    }

    private static bool ContainsHost(string signedHeaders)
    {
        foreach (string name in signedHeaders.Split(';'))
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseDate(string text, bool isAmzDate, out DateTimeOffset value) => isAmzDate
        ? DateTimeOffset.TryParseExact(text, BasicFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
        : DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
}
