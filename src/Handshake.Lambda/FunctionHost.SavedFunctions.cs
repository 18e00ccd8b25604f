using System.Collections.Concurrent;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;
using Handshake.Lambda.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

/// <summary>
/// The functions' control-plane state across restarts: each change is written to <see cref="StateDatabase"/> (by the
/// function's pool, under its control-plane lock, before the change is made and answered), and read back at start
/// (<see cref="RestoreSavedFunctions"/>). Functions declared in the project file are not saved, only what the API made
/// for them (see Persistence/FunctionDocuments.cs and README "Lambda state across restarts").
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>
    /// Saved versions, aliases and the rest of functions with no saved configuration: functions declared in the project
    /// file, which <see cref="LoadProjectFile"/> declares after the host has started and which get them back then.
    /// </summary>
    private readonly ConcurrentDictionary<string, SavedFunction> _savedForDeclared = new(StringComparer.Ordinal);

    /// <summary>One transaction on the state database, for a control-plane change.</summary>
    /// <exception cref="LambdaException">ServiceException (500) when it cannot be written: the change is then not made.</exception>
    internal void SaveState(Action<LambdaStateDatabase.Batch> changes)
    {
        try
        {
            StateDatabase.Write(changes);
        }
        catch (SqliteException e)
        {
            LogStateWriteFailed(_logger, StateDatabase.FilePath, e.Message);
            throw new LambdaException(500, "ServiceException", $"The change could not be saved to {StateDatabase.FilePath}: {e.Message}");
        }
    }

    /// <summary>Functions made through the API, with what was made for them; the rest waits for the project file's declarations.</summary>
    private void RestoreSavedFunctions()
    {
        foreach ((string name, SavedFunction saved) in SavedFunction.ReadAll(StateDatabase))
        {
            if (saved.Configuration is not { } configuration)
            {
                _savedForDeclared[name] = saved;
                continue;
            }

            EnvironmentPool pool = new(this, configuration) { SavesConfiguration = true };
            pool.Restore(saved);
            _functions[name] = pool;
            RegisterUrls(saved);
        }

        WarnIfOverReserved();
    }

    /// <summary>
    /// A data directory made with a higher --account-concurrency (or on a machine with more cores, the default being 8
    /// per core) can hold reservations that together exceed this start's limit. The host starts and keeps them as saved
    /// (a reservation is the user's setting, and the next start may have the old limit again), and says so once:
    /// GetAccountSettings then answers UnreservedConcurrentExecutions 0, and PutFunctionConcurrency still takes any
    /// reservation that does not raise the function's, so the user can lower them (see PutFunctionConcurrency).
    /// </summary>
    private void WarnIfOverReserved()
    {
        int total = ReservedConcurrencyTotal();
        if (total <= Options.AccountConcurrencyLimit)
        {
            return;
        }

        List<string> reserving = [];
        foreach (FunctionDefinition function in ListFunctions())
        {
            if (function.ReservedConcurrency is int reserved and > 0)
            {
                reserving.Add($"{function.Name} ({reserved})");
            }
        }

        LogOverReserved(_logger, StateDatabase.FilePath, string.Join(", ", reserving), total, Options.AccountConcurrencyLimit);
    }

    /// <summary>A function of the project file: a new pool (with what the API made for it before), not saved itself.</summary>
    private void Declare(FunctionDefinition function)
    {
        if (_functions.TryGetValue(function.Name, out EnvironmentPool? existing))
        {
            if (!existing.SavesConfiguration)
            {
                existing.Update(_ => function);
                return;
            }

            // A function made through the API has the name of one the project file declares: the file wins, and the
            // saved function, with its versions and aliases, is removed from the state database (not kept unused).
            LogSavedFunctionReplaced(_logger, function.Name, StateDatabase.FilePath);
            existing.Delete();
            _functions.TryRemove(new KeyValuePair<string, EnvironmentPool>(function.Name, existing));
        }

        EnvironmentPool pool = new(this, function);
        if (_savedForDeclared.TryRemove(function.Name, out SavedFunction? saved))
        {
            pool.Restore(saved);
            RegisterUrls(saved);
        }

        if (!_functions.TryAdd(function.Name, pool))
        {
            throw LambdaException.Conflict($"Function already exist: {function.Name}");
        }
    }

    private void RegisterUrls(SavedFunction saved)
    {
        foreach (FunctionUrlConfig url in saved.Urls)
        {
            _urlIds[url.UrlId] = (saved.Name, url.Qualifier);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not save a Lambda control-plane change to {File}: {Reason}")]
    private static partial void LogStateWriteFailed(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The functions restored from {File} reserve {Total} concurrent executions, more than the account limit of {Limit} (--account-concurrency): {Functions}. The reservations are kept; UnreservedConcurrentExecutions is 0 and only lower reservations are accepted until they fit")]
    private static partial void LogOverReserved(ILogger logger, string file, string functions, int total, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The project file declares {Function}, which was also made through the API and saved in {File}: the declaration is used, and the saved function (its versions, aliases, URLs, settings, tags and policies) is dropped")]
    private static partial void LogSavedFunctionReplaced(ILogger logger, string function, string file);
}
