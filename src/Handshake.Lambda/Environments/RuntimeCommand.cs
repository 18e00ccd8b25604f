using System.Runtime.InteropServices;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The command an environment runs, by runtime:
/// provided: `CODE/bootstrap`;
/// nodejs: `node NODE_BOOTSTRAP` (the handler `file.export` is in _HANDLER);
/// dotnet: `dotnet CODE/HANDLER.dll` when that assembly exists (the function runs its own Runtime API loop, e.g. with
/// Handshake.Runtime), else `CODE/HANDLER` as an executable (a self-contained or NativeAOT build), else `CODE/bootstrap`.
/// </summary>
internal static partial class RuntimeCommand
{
    private const int X_OK = 1;

    /// <summary>The file and arguments, or null with Lambda's reason when the entry point does not exist or cannot be executed.</summary>
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
                    return Executable(executable, out missing);
                }

                break;
        }

        string custom = Path.Combine(code, "bootstrap");
        if (File.Exists(custom))
        {
            return Executable(custom, out missing);
        }

        missing = $"Couldn't find valid bootstrap(s): [{custom}]";
        return null;
    }

    /// <summary>
    /// An entry point the host cannot execute (a `bootstrap` zipped without its mode, or without x) would only fail in
    /// `setsid` as exit status 126 (Runtime.ExitError); Lambda answers it with Runtime.InvalidEntrypoint and Go's exec
    /// error, which is what the reason says.
    /// </summary>
    private static (string FileName, string[] Arguments)? Executable(string path, out string? missing)
    {
        if (access(path, X_OK) == 0)
        {
            missing = null;
            return (path, []);
        }

        missing = $"fork/exec {path}: permission denied";
        return null;
    }

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int access(string path, int mode);

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
