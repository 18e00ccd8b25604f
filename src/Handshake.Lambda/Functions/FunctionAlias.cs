namespace Handshake.Lambda.Functions;

/// <summary>
/// A function alias (Lambda's AliasConfiguration): a name that points at $LATEST or a published version, and optionally
/// sends a share of its invocations to a second published version (RoutingConfig.AdditionalVersionWeights). Immutable:
/// UpdateAlias replaces it.
/// </summary>
public sealed record FunctionAlias
{
    public required string Name { get; init; }

    /// <summary>"$LATEST" or a published version's number.</summary>
    public required string FunctionVersion { get; init; }

    public string Description { get; init; } = "";

    /// <summary>The second version of a weighted alias, or null.</summary>
    public string? AdditionalVersion { get; init; }

    /// <summary>The share of invocations (0 to 1) that go to <see cref="AdditionalVersion"/>.</summary>
    public double AdditionalWeight { get; init; }

    public string RevisionId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>
    /// Counts the alias's invocations for weighted routing. Lambda picks each invocation's version at random; the host
    /// picks it from this count, so that the split is exact and testable: the k-th invocation goes to the additional
    /// version when floor(k × weight) grows, so any N consecutive invocations send floor(N × weight) or one more there.
    /// A new alias (every UpdateAlias) starts counting from zero.
    /// </summary>
    internal AliasRouter Router { get; init; } = new();

    /// <summary>Which version this invocation of the alias runs.</summary>
    internal string Route()
    {
        if (AdditionalVersion is null || AdditionalWeight <= 0)
        {
            return FunctionVersion;
        }

        long k = Interlocked.Increment(ref Router.Count);
        // A small epsilon: 0.3 × 10 must count as 3, not 2.9999999999999996.
        return Math.Floor(k * AdditionalWeight + 1e-9) > Math.Floor((k - 1) * AdditionalWeight + 1e-9) ? AdditionalVersion : FunctionVersion;
    }
}

/// <summary>The mutable part of an alias: its invocation count (see <see cref="FunctionAlias.Router"/>).</summary>
internal sealed class AliasRouter
{
    public long Count;
}
