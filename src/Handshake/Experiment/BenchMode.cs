namespace Handshake.Experiment;

/// <summary>How a mode's function is packaged: which sample, built how.</summary>
internal enum SamplePackage
{
    /// <summary>samples/put-record-node with its npm dependencies (`npm ci` from the committed lock file).</summary>
    Node,

    /// <summary>samples/put-record-dotnet built as a framework-dependent assembly (`dotnet PutRecord.dll`).</summary>
    Dotnet,

    /// <summary>samples/put-record-dotnet published NativeAOT (`bootstrap`, the `provided` runtime).</summary>
    DotnetAot,
}

/// <summary>One SDK mode of the seed's put-record function (issue 4's table).</summary>
internal sealed record BenchMode(string Name, string Description, SamplePackage Package, string Runtime, string Handler,
    bool ReusesConnections, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Every mode, in the order the report lists them: the seed's problem first, then its fixes.</summary>
    public static readonly IReadOnlyList<BenchMode> All =
    [
        new("node-v2", "aws-sdk v2, AWS_NODEJS_CONNECTION_REUSE_ENABLED unset (the seed's problem)", SamplePackage.Node,
            "nodejs20.x", "v2.handler", ReusesConnections: false,
            // Empty counts as unset for aws-sdk v2 (only the string "1" turns reuse on); never inherit the shell's value.
            new Dictionary<string, string> { ["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = "" }),
        new("node-v2-reuse", "aws-sdk v2 with AWS_NODEJS_CONNECTION_REUSE_ENABLED=1 (the seed's fix)", SamplePackage.Node,
            "nodejs20.x", "v2.handler", ReusesConnections: true,
            new Dictionary<string, string> { ["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = "1" }),
        new("node-v3", "@aws-sdk/client-dynamodb v3 (keep-alive by default)", SamplePackage.Node,
            "nodejs20.x", "v3.handler", ReusesConnections: true, new Dictionary<string, string>()),
        new("dotnet", "AWSSDK.DynamoDBv2 4.x, one client per environment", SamplePackage.Dotnet,
            "dotnet8", "PutRecord", ReusesConnections: true, new Dictionary<string, string>()),
        new("dotnet-no-reuse", "AWSSDK.DynamoDBv2 4.x, a client per invocation with CacheHttpClient=false", SamplePackage.Dotnet,
            "dotnet8", "PutRecord", ReusesConnections: false,
            new Dictionary<string, string> { ["HANDSHAKE_CLIENT_PER_INVOCATION"] = "1" }),
        new("dotnet-aot", "the dotnet function published NativeAOT (provided runtime)", SamplePackage.DotnetAot,
            "provided.al2023", "bootstrap", ReusesConnections: true, new Dictionary<string, string>()),
    ];

    /// <summary>The modes `bench` runs when --modes is not given (NativeAOT needs a long publish, so it is asked for).</summary>
    public static readonly string DefaultNames = "node-v2,node-v2-reuse,node-v3,dotnet,dotnet-no-reuse";

    public bool NeedsNode => Package == SamplePackage.Node;

    /// <summary>Parses a comma-separated list; the error names the first unknown mode and the known ones.</summary>
    public static bool TryParseList(string text, out List<BenchMode> modes, out string? error)
    {
        modes = [];
        error = null;
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            BenchMode? mode = null;
            foreach (BenchMode candidate in All)
            {
                if (string.Equals(candidate.Name, part, StringComparison.OrdinalIgnoreCase))
                {
                    mode = candidate;
                }
            }

            if (mode is null)
            {
                error = $"unknown mode '{part}' (known: {string.Join(", ", All.Select(m => m.Name))})";
                return false;
            }

            if (!modes.Contains(mode))
            {
                modes.Add(mode);
            }
        }

        if (modes.Count == 0)
        {
            error = $"--modes names no mode (known: {string.Join(", ", All.Select(m => m.Name))})";
            return false;
        }

        return true;
    }
}
