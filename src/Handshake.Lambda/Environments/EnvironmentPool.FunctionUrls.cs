using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// A function's URLs, one per qualifier (the unqualified function or an alias), changed under the pool's locks with its
/// aliases: deleting the alias deletes its URL, deleting the function (the pool) deletes them all, as in Lambda.
/// </summary>
internal sealed partial class EnvironmentPool
{
    /// <summary>Keyed by the alias name, or $LATEST for the unqualified function's URL.</summary>
    private readonly Dictionary<string, FunctionUrlConfig> _urls = new(StringComparer.Ordinal);

    /// <summary>Lambda's wording when the function URL asked for is not there (Get, Update, Delete).</summary>
    internal static LambdaException UrlNotFound() =>
        new(404, "ResourceNotFoundException", "The resource you requested does not exist.");

    /// <summary>Lambda's wording when the alias of a Create or Update is not there.</summary>
    internal static LambdaException UrlFunctionNotFound() =>
        new(404, "ResourceNotFoundException", "Function does not exist");

    /// <exception cref="LambdaException">ResourceConflictException when the qualifier has a URL; ResourceNotFoundException for a missing alias.</exception>
    public FunctionUrlConfig CreateUrl(FunctionUrlConfig config)
    {
        lock (_control)
        {
            // A DeleteFunction that won the race: the function (and its URLs) is gone, as Lambda would then answer.
            if (_deleted)
            {
                throw UrlFunctionNotFound();
            }

            string key = config.Qualifier ?? FunctionDefinition.LatestVersion;
            if (_urls.ContainsKey(key))
            {
                throw LambdaException.Conflict(
                    $"Failed to create function url config for [functionArn = {UrlArn(config.Qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function");
            }

            if (config.Qualifier is { } alias && !_aliases.ContainsKey(alias))
            {
                throw UrlFunctionNotFound();
            }

            PutDocument(DocumentKey(Persistence.FunctionDocuments.Url, key), Persistence.FunctionDocuments.WriteUrl(_host, config));
            lock (_gate)
            {
                _urls[key] = config;
            }

            return config;
        }
    }

    public FunctionUrlConfig GetUrl(string? qualifier)
    {
        lock (_gate)
        {
            return _urls.TryGetValue(qualifier ?? FunctionDefinition.LatestVersion, out FunctionUrlConfig? config) ? config : throw UrlNotFound();
        }
    }

    /// <summary>The URL for the router: null when it was deleted (or its function was).</summary>
    public FunctionUrlConfig? FindUrl(string? qualifier)
    {
        lock (_gate)
        {
            return _urls.GetValueOrDefault(qualifier ?? FunctionDefinition.LatestVersion);
        }
    }

    /// <summary>UpdateFunctionUrlConfig: <paramref name="change"/> gets the current config, under the lock.</summary>
    public FunctionUrlConfig UpdateUrl(string? qualifier, Func<FunctionUrlConfig, FunctionUrlConfig> change)
    {
        lock (_control)
        {
            if (_deleted || qualifier is not null && !_aliases.ContainsKey(qualifier))
            {
                // _deleted: a DeleteFunction that won the race took the URL with the function.
                throw UrlFunctionNotFound();
            }

            string key = qualifier ?? FunctionDefinition.LatestVersion;
            FunctionUrlConfig current = _urls.TryGetValue(key, out FunctionUrlConfig? found) ? found : throw UrlNotFound();
            FunctionUrlConfig updated = change(current);
            PutDocument(DocumentKey(Persistence.FunctionDocuments.Url, key), Persistence.FunctionDocuments.WriteUrl(_host, updated));
            lock (_gate)
            {
                return _urls[key] = updated;
            }
        }
    }

    public void DeleteUrl(string? qualifier)
    {
        lock (_control)
        {
            string key = qualifier ?? FunctionDefinition.LatestVersion;
            if (!_urls.ContainsKey(key))
            {
                throw UrlNotFound();
            }

            DeleteDocument(DocumentKey(Persistence.FunctionDocuments.Url, key));
            lock (_gate)
            {
                _urls.Remove(key);
            }
        }
    }

    /// <summary>The function's URLs, the unqualified one first, then by alias name.</summary>
    public List<FunctionUrlConfig> Urls()
    {
        lock (_gate)
        {
            List<FunctionUrlConfig> urls = [.. _urls.Values];
            urls.Sort(static (a, b) => (a.Qualifier, b.Qualifier) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                _ => string.CompareOrdinal(a.Qualifier, b.Qualifier),
            });
            return urls;
        }
    }

    /// <summary>Called under the lock when an alias goes: its URL goes with it.</summary>
    private void DeleteAliasUrlLocked(string alias) => _urls.Remove(alias);

    private string UrlArn(string? qualifier) => qualifier is null ? _host.Arn(_definition.Name) : Arn(qualifier);
}
