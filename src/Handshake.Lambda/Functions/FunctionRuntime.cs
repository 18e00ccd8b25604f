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
