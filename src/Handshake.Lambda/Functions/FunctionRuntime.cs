namespace Handshake.Lambda.Functions;

/// <summary>How an environment's process is started.</summary>
public enum FunctionRuntimeKind
{
    /// <summary>An executable `bootstrap` in the code directory (provided.al2023, provided.al2, provided).</summary>
    Provided,

    /// <summary>A .NET function that runs its own Runtime API loop (dotnet8 and the rest).</summary>
    Dotnet,

    /// <summary>A Node.js handler `file.export`, run by Handshake's Node bootstrap (nodejs20.x and the rest).</summary>
    Nodejs,
}

/// <summary>Maps AWS's runtime identifiers onto the three ways Handshake starts a function.</summary>
public static class FunctionRuntime
{
    /// <summary>Parses `provided`, `dotnet`, `nodejs` or an AWS identifier such as `nodejs22.x`, `dotnet8`, `provided.al2023`.</summary>
    public static bool TryParse(string? runtime, out FunctionRuntimeKind kind)
    {
        kind = FunctionRuntimeKind.Provided;
        if (string.IsNullOrEmpty(runtime))
        {
            return false;
        }

        if (runtime == "provided" || runtime.StartsWith("provided.", StringComparison.Ordinal))
        {
            kind = FunctionRuntimeKind.Provided;
            return true;
        }

        if (runtime.StartsWith("dotnet", StringComparison.Ordinal) && IsVersionSuffix(runtime.AsSpan(6), allowX: false))
        {
            kind = FunctionRuntimeKind.Dotnet;
            return true;
        }

        if (runtime.StartsWith("nodejs", StringComparison.Ordinal) && IsVersionSuffix(runtime.AsSpan(6), allowX: true))
        {
            kind = FunctionRuntimeKind.Nodejs;
            return true;
        }

        return false;
    }

    /// <summary>AWS_EXECUTION_ENV as Lambda sets it; unset for custom runtimes.</summary>
    public static string? ExecutionEnv(string runtime, FunctionRuntimeKind kind) => kind switch
    {
        FunctionRuntimeKind.Provided => null,
        _ => "AWS_Lambda_" + runtime,
    };

    /// <summary>
    /// The runtime version Lambda names in an INIT_START line, `family:version.vN` (nodejs20.x is `nodejs:20.vN`,
    /// dotnet8 `dotnet:8.vN`, provided.al2023 `provided:al2023.vN`; AWS's docs show `python:3.13.v14`). Handshake
    /// has no runtime versions of its own, so N is a local stand-in (<see cref="LocalRuntimeVersion"/>).
    /// </summary>
    public static string RuntimeVersion(string runtime)
    {
        int letters = 0;
        while (letters < runtime.Length && char.IsAsciiLetter(runtime[letters]))
        {
            letters++;
        }

        string family = runtime[..letters];
        string version = runtime[letters..].TrimStart('.');
        if (version.EndsWith(".x", StringComparison.Ordinal))
        {
            version = version[..^2];
        }

        return version.Length == 0 ? $"{family}.v{LocalRuntimeVersion}" : $"{family}:{version}.v{LocalRuntimeVersion}";
    }

    /// <summary>
    /// The runtime version ARN of an INIT_START line, `arn:aws:lambda:REGION::runtime:HASH`, as Lambda's (64 hex
    /// digits there). The hash is a stand-in: the SHA-256 of <see cref="RuntimeVersion"/>, so stable per runtime.
    /// </summary>
    public static string RuntimeVersionArn(string runtime, string region) =>
        $"arn:aws:lambda:{region}::runtime:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RuntimeVersion(runtime))))}";

    /// <summary>The N of every runtime version the host names (Lambda's numbers belong to its own builds).</summary>
    public const int LocalRuntimeVersion = 1;

    // "", "8", "20.x", "core3.1" (old dotnetcore identifiers are accepted too).
    private static bool IsVersionSuffix(ReadOnlySpan<char> suffix, bool allowX)
    {
        if (suffix.StartsWith("core"))
        {
            suffix = suffix[4..];
        }

        foreach (char c in suffix)
        {
            if (!char.IsAsciiDigit(c) && c != '.' && !(allowX && c == 'x'))
            {
                return false;
            }
        }

        return true;
    }
}
