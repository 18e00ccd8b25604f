using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda;

/// <summary>
/// Function URLs: the configs live in each function's pool (see EnvironmentPool.FunctionUrls.cs); the host keeps the
/// url-id index the endpoint routes by, so that a request to <c>{url-id}.lambda-url.{region}.localhost</c> finds its
/// function with one dictionary read.
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>url-id → (function, qualifier). Entries outlive a deleted URL: the pool is asked again on every request.</summary>
    private readonly ConcurrentDictionary<string, (string Function, string? Qualifier)> _urlIds = new(StringComparer.Ordinal);

    /// <summary>
    /// The url-id of a (function, qualifier): 32 characters of [a-z0-9], from a hash of the account, region, function
    /// and qualifier. AWS documents its own id as deterministic ("based on a number of factors, including your AWS
    /// account ID"); here it is stable across deletes and restarts, so a URL written into a test keeps working.
    /// </summary>
    public string UrlId(string functionName, string? qualifier)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Options.AccountId}:{Options.Region}:{functionName}:{qualifier ?? FunctionDefinition.LatestVersion}"));
        Span<char> id = stackalloc char[32];
        for (int i = 0; i < id.Length; i++)
        {
            id[i] = Alphabet[hash[i] % Alphabet.Length];
        }

        return new string(id);
    }

    /// <exception cref="LambdaException">ResourceNotFoundException ("Function does not exist"), ResourceConflictException.</exception>
    public FunctionUrlConfig CreateFunctionUrl(string name, string? qualifier, Func<string, FunctionUrlConfig> create)
    {
        EnvironmentPool pool = _functions.TryGetValue(name, out EnvironmentPool? found) ? found : throw EnvironmentPool.UrlFunctionNotFound();
        string urlId = UrlId(name, qualifier);
        FunctionUrlConfig config = pool.CreateUrl(create(urlId));
        _urlIds[urlId] = (name, qualifier);
        return config;
    }

    public FunctionUrlConfig GetFunctionUrl(string name, string? qualifier) => UrlPool(name).GetUrl(qualifier);

    public FunctionUrlConfig UpdateFunctionUrl(string name, string? qualifier, Func<FunctionUrlConfig, FunctionUrlConfig> change) =>
        (_functions.TryGetValue(name, out EnvironmentPool? pool) ? pool : throw EnvironmentPool.UrlFunctionNotFound()).UpdateUrl(qualifier, change);

    public void DeleteFunctionUrl(string name, string? qualifier) => UrlPool(name).DeleteUrl(qualifier);

    /// <exception cref="LambdaException">ResourceNotFoundException ("Function does not exist").</exception>
    public IReadOnlyList<FunctionUrlConfig> ListFunctionUrls(string name) =>
        (_functions.TryGetValue(name, out EnvironmentPool? pool) ? pool : throw EnvironmentPool.UrlFunctionNotFound()).Urls();

    /// <summary>The live URL a url-id names, or false (never created, deleted, or its function or alias deleted).</summary>
    public bool TryGetFunctionUrl(string urlId, out FunctionUrlConfig config)
    {
        config = null!;
        if (!_urlIds.TryGetValue(urlId, out (string Function, string? Qualifier) target) || !_functions.TryGetValue(target.Function, out EnvironmentPool? pool))
        {
            return false;
        }

        config = pool.FindUrl(target.Qualifier)!;
        return config is not null;
    }

    private EnvironmentPool UrlPool(string name) =>
        _functions.TryGetValue(name, out EnvironmentPool? pool) ? pool : throw EnvironmentPool.UrlNotFound();
}
