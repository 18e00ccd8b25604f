using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// A function's aliases: kept in the pool with its versions (see EnvironmentPool.Versions.cs), changed under
/// <see cref="_control"/> and <see cref="_gate"/> (EnvironmentPool.SavedState.cs).
/// </summary>
internal sealed partial class EnvironmentPool
{
    private readonly Dictionary<string, FunctionAlias> _aliases = new(StringComparer.Ordinal);

    /// <exception cref="LambdaException">ResourceConflictException when the alias exists; ResourceNotFoundException for a missing version.</exception>
    public FunctionAlias CreateAlias(FunctionAlias alias)
    {
        lock (_control)
        {
            if (_aliases.ContainsKey(alias.Name))
            {
                throw LambdaException.Conflict($"Alias already exists: {Arn(alias.Name)}");
            }

            CheckAliasLocked(alias);
            PutDocument(DocumentKey(Persistence.FunctionDocuments.Alias, alias.Name), Persistence.FunctionDocuments.WriteAlias(_host, _definition.Name, alias));
            lock (_gate)
            {
                _aliases[alias.Name] = alias;
            }

            return alias;
        }
    }

    /// <summary>UpdateAlias: <paramref name="change"/> gets the current alias, under the lock.</summary>
    public FunctionAlias UpdateAlias(string name, Func<FunctionAlias, FunctionAlias> change)
    {
        lock (_control)
        {
            FunctionAlias current = AliasLocked(name);
            FunctionAlias updated = change(current) with { RevisionId = Guid.NewGuid().ToString(), Router = new AliasRouter() };
            CheckAliasLocked(updated);
            PutDocument(DocumentKey(Persistence.FunctionDocuments.Alias, name), Persistence.FunctionDocuments.WriteAlias(_host, _definition.Name, updated));
            lock (_gate)
            {
                _aliases[name] = updated;
            }

            return updated;
        }
    }

    public void DeleteAlias(string name)
    {
        lock (_control)
        {
            _ = AliasLocked(name);
            DeleteQualifierDocuments(name, alias: true);
            lock (_gate)
            {
                _aliases.Remove(name);
                _eventInvokeConfigs.Remove(name);
                _policies.Remove(name);
                DeleteAliasUrlLocked(name);
            }
        }
    }

    /// <exception cref="LambdaException">ResourceNotFoundException (Lambda's "Alias not found: ARN").</exception>
    public FunctionAlias GetAlias(string name)
    {
        lock (_gate)
        {
            return AliasLocked(name);
        }
    }

    /// <summary>The aliases by name; with <paramref name="functionVersion"/>, only those that point at it (or route to it).</summary>
    public List<FunctionAlias> Aliases(string? functionVersion)
    {
        lock (_gate)
        {
            List<FunctionAlias> aliases = [];
            foreach (FunctionAlias alias in _aliases.Values)
            {
                if (functionVersion is null || alias.FunctionVersion == functionVersion || alias.AdditionalVersion == functionVersion)
                {
                    aliases.Add(alias);
                }
            }

            aliases.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return aliases;
        }
    }

    private FunctionAlias AliasLocked(string name) =>
        _aliases.TryGetValue(name, out FunctionAlias? alias) ? alias : throw new LambdaException(404, "ResourceNotFoundException", $"Alias not found: {Arn(name)}");

    /// <summary>The versions an alias names must exist; a weighted alias needs two different published versions.</summary>
    private void CheckAliasLocked(FunctionAlias alias)
    {
        if (!TryGetVersionLocked(alias.FunctionVersion, out _))
        {
            throw LambdaException.FunctionNotFound(Arn(alias.FunctionVersion));
        }

        if (alias.AdditionalVersion is not { } additional)
        {
            return;
        }

        if (additional == alias.FunctionVersion)
        {
            throw LambdaException.InvalidParameter($"Invalid function version {additional}. Function version {additional} is already included in routing configuration.");
        }

        if (alias.FunctionVersion == FunctionDefinition.LatestVersion)
        {
            throw LambdaException.InvalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
        }

        if (!TryGetVersionLocked(additional, out _))
        {
            throw LambdaException.FunctionNotFound(Arn(additional));
        }
    }
}
