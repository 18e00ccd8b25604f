namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>Where the oracle scripts live: found from the test assembly by walking up to the solution file.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RootDirectory => Root.Value;

    public static string ClientsDirectory => Path.Combine(Root.Value, "tests", "clients");

    /// <summary>The npm oracles come from the committed lock file; scripts/test.sh and .ci/run install them.</summary>
    public static void RequireNodeModules()
    {
        var sdk = Path.Combine(ClientsDirectory, "node_modules", "aws-sdk");
        var v3 = Path.Combine(ClientsDirectory, "node_modules", "@aws-sdk", "client-dynamodb");
        var streams = Path.Combine(ClientsDirectory, "node_modules", "@aws-sdk", "client-dynamodb-streams");
        if (!Directory.Exists(sdk) || !Directory.Exists(v3) || !Directory.Exists(streams))
        {
            throw new InvalidOperationException(
                $"the npm oracles are not installed: run `npm ci` in {ClientsDirectory} (scripts/test.sh does it)");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Handshake.slnx above {AppContext.BaseDirectory}");
    }
}
