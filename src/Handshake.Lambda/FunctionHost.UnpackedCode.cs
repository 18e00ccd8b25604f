using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;
using Handshake.Lambda.Persistence;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

/// <summary>
/// Unpacked code (functions/NAME/SHA under <see cref="DataDirectory"/>, see <see cref="FunctionCode.InstallZip"/>) that
/// nothing uses any more: the code of deleted functions and versions, and code replaced by UpdateFunctionCode. It is not
/// removed while the host runs, since an environment started from it may still be running an invocation (Lambda lets
/// it finish), and a CreateFunction racing a DeleteFunction of the same name may be about to use the same directory.
/// At start, before any environment exists, everything the saved functions and versions do not name is removed, so the
/// directory holds at most one session's churn.
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>Removes what no restored function or version (declared functions' saved versions included) uses.</summary>
    private void RemoveUnusedCode()
    {
        string root = Path.Combine(DataDirectory, "functions");
        if (!Directory.Exists(root))
        {
            return;
        }

        HashSet<string> used = new(StringComparer.Ordinal);
        foreach (EnvironmentPool pool in _functions.Values)
        {
            foreach (FunctionDefinition version in pool.Versions())
            {
                used.Add(Path.GetFullPath(version.CodeDirectory));
            }
        }

        foreach (SavedFunction saved in _savedForDeclared.Values)
        {
            foreach (FunctionDefinition version in saved.Versions.Values)
            {
                used.Add(Path.GetFullPath(version.CodeDirectory));
            }
        }

        int removed = 0;
        foreach (string function in Directory.EnumerateDirectories(root))
        {
            foreach (string code in Directory.EnumerateDirectories(function))
            {
                // Also the staging directories (NAME/SHA.tmp-xxxx) of an unpacking that a kill cut short.
                if (!used.Contains(Path.GetFullPath(code)) && TryRemoveCodeDirectory(code))
                {
                    removed++;
                }
            }

            if (!Directory.EnumerateFileSystemEntries(function).Any())
            {
                TryRemoveCodeDirectory(function);
            }
        }

        if (removed > 0)
        {
            LogUnusedCodeRemoved(_logger, removed, root);
        }
    }

    private bool TryRemoveCodeDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start: a directory that cannot be removed is only disk space, never a reason not to start.
            LogUnusedCodeKept(_logger, directory, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} unpacked code directories under {Directory} that no saved function or version uses")]
    private static partial void LogUnusedCodeRemoved(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove unused code directory {Directory}: {Reason}")]
    private static partial void LogUnusedCodeKept(ILogger logger, string directory, string reason);
}
