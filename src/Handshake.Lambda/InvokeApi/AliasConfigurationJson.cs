using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>Lambda's AliasConfiguration shape, and the alias fields CreateAlias and UpdateAlias share, validated as Lambda does.</summary>
internal static class AliasConfigurationJson
{
    private const string NamePattern = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)";

    public static void Write(Utf8JsonWriter writer, FunctionHost host, string functionName, FunctionAlias alias)
    {
        writer.WriteStartObject();
        writer.WriteString("AliasArn", host.Arn(functionName) + ":" + alias.Name);
        writer.WriteString("Name", alias.Name);
        writer.WriteString("FunctionVersion", alias.FunctionVersion);
        writer.WriteString("Description", alias.Description);
        if (alias.AdditionalVersion is { } additional)
        {
            writer.WriteStartObject("RoutingConfig");
            writer.WriteStartObject("AdditionalVersionWeights");
            writer.WriteNumber(additional, alias.AdditionalWeight);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteString("RevisionId", alias.RevisionId);
        writer.WriteEndObject();
    }

    /// <exception cref="LambdaException">ValidationException: the model's pattern for an alias name (not all digits) and its length, 1 to 128.</exception>
    public static string CheckName(string? name)
    {
        if (name is null)
        {
            throw LambdaException.Validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
        }

        bool valid = name.Length is > 0 and <= 128 && !name.All(char.IsAsciiDigit);
        foreach (char c in name)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        if (!valid)
        {
            throw LambdaException.Validation(name.Length > 128
                ? $"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"
                : $"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: {NamePattern}");
        }

        return name;
    }

    /// <exception cref="LambdaException">ValidationException: the model's pattern for FunctionVersion, $LATEST or a number.</exception>
    public static string CheckFunctionVersion(string version)
    {
        if (version != FunctionDefinition.LatestVersion && (version.Length is 0 or > 1024 || !version.All(char.IsAsciiDigit)))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
        }

        return version;
    }

    /// <summary>
    /// RoutingConfig.AdditionalVersionWeights: (null, 0) when absent or empty; one version and its weight otherwise.
    /// <paramref name="present"/> tells an absent RoutingConfig (UpdateAlias keeps the routing) from an empty one (clears it).
    /// </summary>
    /// <exception cref="LambdaException">
    /// InvalidParameterValueException for more than one version; ValidationException for a weight outside 0..1 or a
    /// key that is not a version number (the model's constraints, in AWS's wording).
    /// </exception>
    public static (string? Version, double Weight) ReadRouting(JsonElement body, out bool present)
    {
        present = body.TryGetProperty("RoutingConfig", out JsonElement routing) && routing.ValueKind == JsonValueKind.Object;
        if (!present || !routing.TryGetProperty("AdditionalVersionWeights", out JsonElement weights) || weights.ValueKind != JsonValueKind.Object)
        {
            return (null, 0);
        }

        (string? Version, double Weight) result = (null, 0);
        int count = 0;
        foreach (JsonProperty weight in weights.EnumerateObject())
        {
            if (++count > 1)
            {
                throw LambdaException.InvalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
            }

            string entry = $"{{{weight.Name}={weight.Value.GetRawText()}}}";
            if (weight.Value.ValueKind != JsonValueKind.Number || !weight.Value.TryGetDouble(out double value) || value is < 0 or > 1)
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{entry}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]");
            }

            if (weight.Name.Length is 0 or > 1024 || !weight.Name.All(char.IsAsciiDigit))
            {
                throw LambdaException.Validation($"1 validation error detected: Value '{entry}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]");
            }

            result = (weight.Name, value);
        }

        return result;
    }
}
