using System.Security.Cryptography;

namespace Handshake.Dynamo.Protocol;

/// <summary>Request ids in DynamoDB's shape: 52 upper-case alphanumerics.</summary>
internal static class RequestIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Next() => string.Create(52, 0, static (span, _) =>
    {
        Span<byte> random = stackalloc byte[52];
        RandomNumberGenerator.Fill(random);
        for (int i = 0; i < span.Length; i++) span[i] = Alphabet[random[i] % Alphabet.Length];
    });
}
