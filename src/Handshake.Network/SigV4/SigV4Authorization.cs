namespace Handshake.Network.SigV4;

/// <summary>
/// Reads the access key id out of a SigV4 <c>Authorization</c> header:
/// <c>AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=..., Signature=...</c>.
/// Only the credential scope's first element is needed to attribute a connection, so nothing is verified here and
/// nothing is allocated: the result is a slice of the header.
/// </summary>
public static class SigV4Authorization
{
    // Every SigV4 algorithm name starts with this (AWS4-HMAC-SHA256, and SigV4a's AWS4-ECDSA-P256-SHA256).
    private const string AlgorithmPrefix = "AWS4-";
    private const string CredentialKey = "Credential=";

    public static bool TryGetAccessKeyId(ReadOnlySpan<char> authorization, out ReadOnlySpan<char> accessKeyId)
    {
        accessKeyId = default;
        ReadOnlySpan<char> header = authorization.TrimStart(' ');
        if (!header.StartsWith(AlgorithmPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        int algorithmEnd = header.IndexOf(' ');
        if (algorithmEnd < 0)
        {
            return false;
        }

        // The parameters are comma-separated with optional spaces; Credential is normally first, but look at each.
        ReadOnlySpan<char> parameters = header[(algorithmEnd + 1)..];
        while (!parameters.IsEmpty)
        {
            int comma = parameters.IndexOf(',');
            ReadOnlySpan<char> parameter = (comma < 0 ? parameters : parameters[..comma]).Trim(' ');
            parameters = comma < 0 ? default : parameters[(comma + 1)..];
            if (!parameter.StartsWith(CredentialKey, StringComparison.Ordinal))
            {
                continue;
            }

            ReadOnlySpan<char> scope = parameter[CredentialKey.Length..];
            int slash = scope.IndexOf('/');
            if (slash <= 0)
            {
                return false;
            }

            ReadOnlySpan<char> candidate = scope[..slash];
            if (candidate.ContainsAny(' ', '\t', '='))
            {
                return false;
            }

            accessKeyId = candidate;
            return true;
        }

        return false;
    }
}
