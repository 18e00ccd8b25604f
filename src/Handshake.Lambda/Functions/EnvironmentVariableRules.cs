using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Handshake.Lambda.Functions;

/// <summary>
/// The checks Lambda makes on a function's environment variables, in Lambda's order (the model's key pattern, then
/// the reserved keys, then the 4 KB limit), plus the one Handshake adds for the store endpoint it exports itself.
/// </summary>
public static partial class EnvironmentVariableRules
{
    /// <summary>The keys Lambda sets itself and refuses in a function's configuration (AWS docs, "Defined runtime environment variables").</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    /// <summary>Variables the host sets to its store's endpoint in every environment (not reserved on Lambda).</summary>
    public static readonly IReadOnlyList<string> StoreEndpointKeys = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"];

    /// <summary>Lambda's limit on the variables' JSON ({"KEY":"value",...}), in UTF-8 bytes.</summary>
    public const int MaxBytes = 4096;

    /// <exception cref="LambdaException">
    /// ValidationException for a key outside Lambda's pattern; InvalidParameterValueException, with Lambda's messages,
    /// for reserved keys and for more than 4 KB; InvalidParameterValueException for an endpoint the host would replace.
    /// </exception>
    public static void Check(IReadOnlyDictionary<string, string> variables, string? storeEndpoint)
    {
        if (variables.Keys.Any(key => !KeyPattern().IsMatch(key)))
        {
            // The values are "sensitive" in Lambda's model, so the message names no value.
            throw LambdaException.Validation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
        }

        List<string> reserved = [.. variables.Keys.Where(ReservedKeys.Contains)];
        if (reserved.Count > 0)
        {
            throw LambdaException.InvalidParameter($"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {string.Join(", ", reserved)}");
        }

        string measured = Measured(variables);
        if (Encoding.UTF8.GetByteCount(measured) > MaxBytes)
        {
            throw LambdaException.InvalidParameter($"Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}");
        }

        // The host exports its store's endpoint, with credentials that only the store accepts; a different value of
        // the function's own would be overwritten without a word, so it is refused instead (README, "host").
        foreach (string key in StoreEndpointKeys)
        {
            if (storeEndpoint is not null && variables.TryGetValue(key, out string? value) && value != storeEndpoint)
            {
                throw LambdaException.InvalidParameter($"{key} is set by Handshake to its store's endpoint ({storeEndpoint}), with credentials only that store accepts; the function's own value ({value}) would not be used. Remove {key} from the function's environment.");
            }
        }
    }

    /// <summary>The string Lambda measures: the variables as compact JSON, non-ASCII characters unescaped.</summary>
    private static string Measured(IReadOnlyDictionary<string, string> variables)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach ((string key, string value) in variables)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_]+$")]
    private static partial Regex KeyPattern();
}
