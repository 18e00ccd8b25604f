namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>DynamoDB client errors: the AWS error code, the exact message (or a fragment of it) and status 400.</summary>
public static class AwsErrorAssert
{
    public static void Is(OracleError error, string code, string message)
    {
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(400, error.Status);
    }

    public static void Contains(OracleError error, string code, string fragment)
    {
        Assert.Equal(code, error.Code);
        Assert.Contains(fragment, error.Message ?? "", StringComparison.Ordinal);
        Assert.Equal(400, error.Status);
    }
}
