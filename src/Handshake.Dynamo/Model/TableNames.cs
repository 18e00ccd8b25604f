namespace Handshake.Dynamo.Model;

/// <summary>Table name rules, and the table ARN accepted wherever a table name is (as DynamoDB accepts it).</summary>
public static class TableNames
{
    public const int MinLength = 3;
    public const int MaxLength = 255;
    public const string Pattern = "[a-zA-Z0-9_.-]+";

    /// <summary>"arn:aws:dynamodb:region:account:table/Name" becomes "Name"; a plain name is returned as is.</summary>
    public static string FromNameOrArn(string value)
    {
        if (!value.StartsWith("arn:", StringComparison.Ordinal)) return value;
        int slash = value.IndexOf(":table/", StringComparison.Ordinal);
        return slash < 0 ? value : value[(slash + 7)..];
    }

    public static bool MatchesPattern(string name)
    {
        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-')) return false;
        }
        return name.Length > 0;
    }
}
