namespace Handshake.Lambda.Functions;

/// <summary>Function names and ARNs as Lambda accepts them.</summary>
public static class FunctionName
{
    public static bool IsValid(string name)
    {
        if (name.Length is 0 or > 64)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Accepts a name, a partial ARN (`123456789012:function:name`) or a full ARN, with an optional `:qualifier`.
    /// </summary>
    public static bool TryParse(string value, out string name, out string? qualifier) =>
        TryParse(value, out name, out qualifier, out _);

    /// <summary>
    /// As <see cref="TryParse(string, out string, out string?)"/>, with the region a full ARN names and the account a
    /// full or partial ARN names (null otherwise). The account must be 12 digits, as the API model's pattern requires.
    /// </summary>
    public static bool TryParse(string value, out string name, out string? qualifier, out string? region) =>
        TryParse(value, out name, out qualifier, out region, out _);

    /// <inheritdoc cref="TryParse(string, out string, out string?, out string?)"/>
    public static bool TryParse(string value, out string name, out string? qualifier, out string? region, out string? account)
    {
        qualifier = null;
        region = null;
        account = null;
        name = value;
        string[] parts = value.Split(':');
        if (parts.Length >= 6 && parts[0] == "arn" && parts[5] == "function")
        {
            // arn:aws:lambda:region:account:function:name[:qualifier]
            if (parts.Length > 8)
            {
                return false;
            }

            name = parts[6];
            qualifier = parts.Length == 8 ? parts[7] : null;
            region = parts[3];
            account = parts[4];
        }
        else if (parts.Length >= 3 && parts[1] == "function")
        {
            // account:function:name[:qualifier]
            if (parts.Length > 4)
            {
                return false;
            }

            name = parts[2];
            qualifier = parts.Length == 4 ? parts[3] : null;
            account = parts[0];
        }
        else if (parts.Length == 2)
        {
            name = parts[0];
            qualifier = parts[1];
        }
        else if (parts.Length != 1)
        {
            return false;
        }

        if (account is not null && (account.Length != 12 || !account.All(char.IsAsciiDigit)))
        {
            return false;
        }

        return IsValid(name);
    }

    public static string Arn(string region, string accountId, string name) => $"arn:aws:lambda:{region}:{accountId}:function:{name}";
}
