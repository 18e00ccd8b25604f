using System.Text.Json;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// A mapping's FilterCriteria: its Filters' patterns as the caller wrote them (echoed back unchanged) and compiled. A
/// record is sent to the function when it matches any filter; with no filters every record is sent. Lambda's limits:
/// 5 filters per mapping (the default quota), 4,096 characters per pattern (the API model).
/// </summary>
internal sealed class FilterCriteria
{
    /// <summary>Lambda's default quota of filters per event source mapping (raisable to 10 on AWS; not here).</summary>
    public const int MaxFilters = 5;

    /// <summary>The API model's length limit on a Filter's Pattern.</summary>
    public const int MaxPatternLength = 4096;

    private readonly FilterPattern[] _compiled;

    /// <param name="patterns">The Filters' patterns; null for a FilterCriteria given without Filters (<c>{}</c>).</param>
    /// <param name="compiled">The same patterns compiled, in order.</param>
    public FilterCriteria(IReadOnlyList<string>? patterns, FilterPattern[] compiled)
    {
        Patterns = patterns;
        _compiled = compiled;
    }

    /// <summary>The patterns as given, for the answers' FilterCriteria; null when the request had no Filters member.</summary>
    public IReadOnlyList<string>? Patterns { get; }

    /// <summary>No filter: every record passes (a mapping whose filters were cleared with <c>{}</c> or <c>{"Filters":[]}</c>).</summary>
    public bool IsEmpty => _compiled.Length == 0;

    /// <summary>True when the record (as Lambda sends it, one JSON object) matches at least one filter.</summary>
    public bool Matches(JsonElement record)
    {
        foreach (FilterPattern pattern in _compiled)
        {
            if (pattern.Matches(record))
            {
                return true;
            }
        }

        return _compiled.Length == 0;
    }
}
