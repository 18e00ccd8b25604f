using System.Text;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Collects member-constraint violations and raises them in AWS's single-message form:
/// <c>2 validation errors detected: Value 'x' at 'tableName' failed to satisfy constraint: ...; Value ...</c>.
/// AWS reports at most ten.
/// </summary>
internal sealed class ValidationErrors
{
    private const int MaxReported = 10;
    private List<string>? _errors;

    public bool Any => _errors is { Count: > 0 };

    /// <summary>Adds one violation; <paramref name="value"/> null prints as <c>Value null</c> (no quotes).</summary>
    public void Add(string? value, string path, string constraint)
    {
        _errors ??= [];
        if (_errors.Count >= MaxReported) return;
        _errors.Add((value is null ? "Value null" : "Value '" + value + "'") + " at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    /// <summary>
    /// One violation that AWS reports without the value (<c>Value at 'path' failed to ...</c>), as it does for
    /// BatchGetItem's list of more than 100 keys.
    /// </summary>
    public void AddWithoutValue(string path, string constraint)
    {
        _errors ??= [];
        if (_errors.Count >= MaxReported) return;
        _errors.Add("Value at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    public void NotNull(object? value, string path)
    {
        if (value is null) Add(null, path, "Member must not be null");
    }

    /// <summary>A string member's maximum length (in characters, as AWS's model constraints count it).</summary>
    public void MaxLength(string? value, string path, int max)
    {
        if (value is not null && value.Length > max) Add(value, path, "Member must have length less than or equal to " + max);
    }

    public void Enum(string? value, string path, string allowed, params string[] values)
    {
        if (value is null || Array.IndexOf(values, value) >= 0) return;
        Add(value, path, "Member must satisfy enum value set: [" + allowed + "]");
    }

    /// <summary>The table-name constraints AWS checks on CreateTable and wherever a name is given.</summary>
    public void TableName(string? name, string path = "tableName")
    {
        if (name is null)
        {
            Add(null, path, "Member must not be null");
            return;
        }
        if (!Model.TableNames.MatchesPattern(name)) Add(name, path, "Member must satisfy regular expression pattern: " + Model.TableNames.Pattern);
        if (name.Length < Model.TableNames.MinLength) Add(name, path, "Member must have length greater than or equal to " + Model.TableNames.MinLength);
        if (name.Length > Model.TableNames.MaxLength) Add(name, path, "Member must have length less than or equal to " + Model.TableNames.MaxLength);
    }

    /// <summary>A table name or ARN (item and control operations accept either; ARNs up to 1024 characters).</summary>
    public void TableNameOrArn(string? value, string path = "tableName")
    {
        if (value is not null && value.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (value.Length > 1024) Add(value, path, "Member must have length less than or equal to 1024");
            return;
        }
        TableName(value, path);
    }

    public void ThrowIfAny()
    {
        if (_errors is not { Count: > 0 } errors) return;
        var sb = new StringBuilder();
        sb.Append(errors.Count).Append(errors.Count == 1 ? " validation error detected: " : " validation errors detected: ");
        for (int i = 0; i < errors.Count; i++)
        {
            if (i > 0) sb.Append("; ");
            sb.Append(errors[i]);
        }
        throw DynamoException.Validation(sb.ToString());
    }
}
