using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda;

/// <summary>
/// Asynchronous invocation settings (PutFunctionEventInvokeConfig and the rest): one per qualifier of a function,
/// removed with the function, the version or the alias. <see cref="DeliverEventAsync"/> reads them at each attempt,
/// as Lambda applies a change to events already queued.
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>Put (replace) or Update (merge into the existing one) a qualifier's settings.</summary>
    /// <exception cref="LambdaException">
    /// ResourceNotFoundException for a function or qualifier that does not exist, or (Update) a qualifier with no settings.
    /// </exception>
    public EventInvokeConfig PutEventInvokeConfig(string name, string? qualifier, Func<EventInvokeConfig?, EventInvokeConfig> change, bool update)
    {
        string key = qualifier ?? FunctionDefinition.LatestVersion;
        DateTimeOffset now = Options.Clock.GetUtcNow();
        if (!_functions.TryGetValue(name, out EnvironmentPool? pool)
            || !pool.TryPutEventInvokeConfig(key, current => change(current) with { Qualifier = key, LastModified = now }, update, out EventInvokeConfig? config))
        {
            throw NoSuchFunction();
        }

        return config ?? throw NoEventInvokeConfig(name, key);
    }

    /// <summary>Throws what Put and Update answer for a function or qualifier that does not exist (checked first, as Lambda does).</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException (<c>The function doesn't exist.</c>), or (Update) no settings.</exception>
    public void CheckEventInvokeConfigTarget(string name, string? qualifier, bool update)
    {
        string key = qualifier ?? FunctionDefinition.LatestVersion;
        if (!_functions.TryGetValue(name, out EnvironmentPool? pool) || (key != FunctionDefinition.LatestVersion && !pool.TryResolve(key, out _)))
        {
            throw NoSuchFunction();
        }

        if (update && pool.EventInvokeConfig(key) is null)
        {
            throw NoEventInvokeConfig(name, key);
        }
    }

    /// <exception cref="LambdaException">ResourceNotFoundException (<c>The function ARN:QUALIFIER doesn't have an EventInvokeConfig</c>).</exception>
    public EventInvokeConfig GetEventInvokeConfig(string name, string? qualifier)
    {
        string key = qualifier ?? FunctionDefinition.LatestVersion;
        return EventInvokeConfigFor(name, key) ?? throw NoEventInvokeConfig(name, key);
    }

    /// <exception cref="LambdaException">ResourceNotFoundException as <see cref="GetEventInvokeConfig"/>.</exception>
    public void DeleteEventInvokeConfig(string name, string? qualifier)
    {
        string key = qualifier ?? FunctionDefinition.LatestVersion;
        if (!_functions.TryGetValue(name, out EnvironmentPool? pool) || !pool.DeleteEventInvokeConfig(key))
        {
            throw NoEventInvokeConfig(name, key);
        }
    }

    /// <summary>A function's settings, $LATEST first, then by qualifier.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException (<c>The function doesn't exist.</c>).</exception>
    public IReadOnlyList<EventInvokeConfig> ListEventInvokeConfigs(string name)
    {
        if (!_functions.TryGetValue(name, out EnvironmentPool? pool))
        {
            throw NoSuchFunction();
        }

        List<EventInvokeConfig> configs = pool.EventInvokeConfigs();
        configs.Sort(static (a, b) => (a.Qualifier == FunctionDefinition.LatestVersion, b.Qualifier == FunctionDefinition.LatestVersion) switch
        {
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(a.Qualifier, b.Qualifier),
        });
        return configs;
    }

    /// <summary>The settings an Event invocation of this qualifier follows: its own, or null for Lambda's defaults.</summary>
    internal EventInvokeConfig? EventInvokeConfigFor(string name, string? qualifier) =>
        _functions.TryGetValue(name, out EnvironmentPool? pool) ? pool.EventInvokeConfig(qualifier ?? FunctionDefinition.LatestVersion) : null;

    /// <summary>True when the function has this version or alias.</summary>
    internal bool TryGetVersion(string name, string qualifier) =>
        _functions.TryGetValue(name, out EnvironmentPool? pool) && pool.TryResolve(qualifier, out _);

    // LocalStack's AWS-validated answer for Put and Update on a function or qualifier that does not exist.
    private static LambdaException NoSuchFunction() => new(404, "ResourceNotFoundException", "The function doesn't exist.");

    private LambdaException NoEventInvokeConfig(string name, string qualifier) =>
        new(404, "ResourceNotFoundException", $"The function {Arn(name)}:{qualifier} doesn't have an EventInvokeConfig");
}
