using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The command an environment runs, by runtime:
/// provided: `CODE/bootstrap`;
/// nodejs: `node NODE_BOOTSTRAP` (the handler `file.export` is in _HANDLER);
/// dotnet: `dotnet CODE/HANDLER.dll` when that assembly exists (the function runs its own Runtime API loop, e.g. with
/// Handshake.Runtime), else `CODE/HANDLER` as an executable (a self-contained or NativeAOT build), else `CODE/bootstrap`.
/// </summary>
internal static class RuntimeCommand
{
    /// <summary>The file and arguments, or null with Lambda's reason when the entry point does not exist.</summary>
    public static (string FileName, string[] Arguments)? Resolve(FunctionDefinition function, string? nodeBootstrapPath, out string? missing)
    {
        missing = null;
        string code = function.CodeDirectory;
        switch (function.RuntimeKind)
        {
            case FunctionRuntimeKind.Nodejs:
                string? bootstrap = nodeBootstrapPath ?? FindNodeBootstrap();
                if (bootstrap is null || !File.Exists(bootstrap))
                {
                    missing = $"Couldn't find the Node.js bootstrap: {bootstrap ?? "runtimes/node/bootstrap.js"}";
                    return null;
                }

                return ("node", [bootstrap]);

            case FunctionRuntimeKind.Dotnet:
                string handler = function.Handler.Split("::")[0];
                string assembly = Path.Combine(code, handler.EndsWith(".dll", StringComparison.Ordinal) ? handler : handler + ".dll");
                if (handler.Length > 0 && File.Exists(assembly))
                {
                    return ("dotnet", [assembly]);
                }

                string executable = Path.Combine(code, handler);
                if (handler.Length > 0 && File.Exists(executable))
                {
                    return (executable, []);
                }

                break;
        }

        string custom = Path.Combine(code, "bootstrap");
        if (File.Exists(custom))
        {
            return (custom, []);
        }

        missing = $"Couldn't find valid bootstrap(s): [{custom}]";
        return null;
    }

    /// <summary>runtimes/node/bootstrap.js next to the application, or in a parent directory (the repository when run from it).</summary>
    private static string? FindNodeBootstrap()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "runtimes", "node", "bootstrap.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
