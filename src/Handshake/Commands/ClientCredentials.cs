using Handshake.Network.SigV4;

namespace Handshake.Commands;

/// <summary>
/// What Handshake's own clients (`handshake invoke`, `handshake bench --endpoint`) sign their requests with (SigV4), so
/// that they pass `up --auth strict` as an SDK would: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
/// from the environment, else the key `handshake up` prints (which every `up` accepts); the region from AWS_REGION,
/// else us-east-1.
/// </summary>
internal sealed record ClientCredentials(string AccessKeyId, SigV4Credentials Credentials, string Region)
{
    public static ClientCredentials FromEnvironment() => new(
        Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 } key ? key : UpCommand.AccessKeyId,
        new SigV4Credentials(
            Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret ? secret : UpCommand.SecretAccessKey,
            Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN") is { Length: > 0 } token ? token : null),
        Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region : "us-east-1");

    /// <summary>Adds X-Amz-Date, Authorization and (temporary credentials) X-Amz-Security-Token, signed for <paramref name="service"/>.</summary>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, string service) =>
        SigV4Signer.Sign(request, body, AccessKeyId, Credentials, Region, service, DateTimeOffset.UtcNow);

    /// <summary>The same headers as lines of an HTTP/1.1 head ("Name: value\r\n" each), for a client that writes its own.</summary>
    public string HeaderLines(string method, Uri uri, ReadOnlySpan<byte> body, string service)
    {
        (string amzDate, string authorization) = SigV4Signer.Authorize(method, uri, body, AccessKeyId, Credentials, Region, service, DateTimeOffset.UtcNow);
        return $"X-Amz-Date: {amzDate}\r\n" +
            (Credentials.SessionToken is { } token ? $"X-Amz-Security-Token: {token}\r\n" : "") +
            $"Authorization: {authorization}\r\n";
    }
}
