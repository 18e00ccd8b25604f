using System.Security.Cryptography;

namespace Handshake.Dynamo.Protocol;

/// <summary>Request ids in DynamoDB's shape: 52 upper-case alphanumerics.</summary>
/// <remarks>
/// An id only has to be unique, not unguessable: a random prefix drawn once per process, then a counter. Drawing 52
/// random bytes from the OS generator for every request cost about 2% of the server's CPU under load.
/// </remarks>
internal static class RequestIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int Length = 52;

    // 36^13 > 2^64: the whole counter fits in the last 13 characters.
    private const int CounterDigits = 13;

    private static readonly string Prefix = string.Create(Length - CounterDigits, 0, static (span, _) =>
    {
        Span<byte> random = stackalloc byte[Length - CounterDigits];
        RandomNumberGenerator.Fill(random);
        for (int i = 0; i < span.Length; i++) span[i] = Alphabet[random[i] % Alphabet.Length];
    });

    private static long _counter;

    public static string Next() => string.Create(Length, (ulong)Interlocked.Increment(ref _counter), static (span, counter) =>
    {
        Prefix.AsSpan().CopyTo(span);
        for (int i = Length - 1; i >= Length - CounterDigits; i--)
        {
            span[i] = Alphabet[(int)(counter % 36)];
            counter /= 36;
        }
    });
}
