using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Functions;

/// <summary>
/// Reads `handshake.json`, the project file `handshake up` loads:
/// <code>
/// { "functions": { "put-record": { "runtime": "nodejs20.x", "handler": "index.handler", "code": "samples/put-record-node",
///                                  "memorySize": 128, "timeout": 3, "environment": { "TABLE": "records" },
///                                  "reservedConcurrency": 4, "description": "...",
///                                  "loggingConfig": { "logFormat": "JSON", "applicationLogLevel": "DEBUG" } } } }
/// </code>
/// `code` is relative to the project file's directory. Only `runtime` and `code` are required; an unknown key, or a
/// value of the wrong JSON kind, is an error. The runtime and the
/// environment are checked as Lambda's CreateFunction checks them (besides the shorthands `provided`, `dotnet` and
/// `nodejs`), so that a project that loads here does not fail on its first deployment.
/// </summary>
public static class ProjectFile
{
    public const string DefaultFileName = "handshake.json";

    /// <exception cref="ProjectFileException">The file is not valid JSON or a function is badly declared.</exception>
    /// <param name="storeEndpoint">The endpoint the host exports as AWS_ENDPOINT_URL (see <see cref="EnvironmentVariableRules"/>).</param>
    public static IReadOnlyList<FunctionDefinition> Load(string path, TimeProvider? clock = null, string? storeEndpoint = null)
    {
        string fullPath = Path.GetFullPath(path);
        string baseDirectory = Path.GetDirectoryName(fullPath) ?? ".";
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(fullPath), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return Parse(document.RootElement, baseDirectory, (clock ?? TimeProvider.System).GetUtcNow(), fullPath, storeEndpoint);
        }
        catch (JsonException e)
        {
            throw new ProjectFileException($"{fullPath}: not valid JSON: {e.Message}");
        }
        catch (IOException e)
        {
            throw new ProjectFileException($"{fullPath}: {e.Message}");
        }
    }

    private static List<FunctionDefinition> Parse(JsonElement root, string baseDirectory, DateTimeOffset now, string fileName, string? storeEndpoint)
    {
        List<FunctionDefinition> functions = [];
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("functions", out JsonElement map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new ProjectFileException($"{fileName}: expected {{ \"functions\": {{ \"name\": {{ ... }} }} }}");
        }

        foreach (JsonProperty function in map.EnumerateObject())
        {
            string where = $"{fileName}: function '{function.Name}'";
            if (!FunctionName.IsValid(function.Name))
            {
                throw new ProjectFileException($"{where}: the name must be 1 to 64 letters, digits, '-' or '_'");
            }

            JsonElement f = function.Value;
            CheckKeys(f, where);
            string runtime = GetString(f, "runtime") ?? throw new ProjectFileException($"{where}: \"runtime\" is required");
            if (!LambdaRuntimes.ProjectFileShorthands.Contains(runtime))
            {
                if (!LambdaRuntimes.All.Contains(runtime))
                {
                    throw new ProjectFileException($"{where}: unknown runtime '{runtime}' (provided, dotnet, nodejs or an AWS identifier such as nodejs22.x)");
                }

                AsProjectFileError(where, () => LambdaRuntimes.Check(runtime));
            }

            string code = GetString(f, "code") ?? throw new ProjectFileException($"{where}: \"code\" (a directory) is required");
            string codeDirectory = Path.GetFullPath(Path.Combine(baseDirectory, code));
            if (!Directory.Exists(codeDirectory))
            {
                throw new ProjectFileException($"{where}: code directory {codeDirectory} does not exist");
            }

            Dictionary<string, string> environment = [];
            if (f.TryGetProperty("environment", out JsonElement env) && env.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty variable in env.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String ? variable.Value.GetString()! : variable.Value.GetRawText();
                }

                AsProjectFileError(where, () => EnvironmentVariableRules.Check(environment, storeEndpoint));
            }

            FunctionLogging logging = FunctionLogging.Default;
            if (f.TryGetProperty("loggingConfig", out JsonElement loggingConfig))
            {
                CheckKeys(loggingConfig, $"{where}: \"loggingConfig\"", s_loggingConfigKeys);
                AsProjectFileError(where, () => logging = InvokeApi.FunctionFields.LoggingConfig(loggingConfig, function.Name, camelCase: true));
            }

            (string sha, long size) = CodeDirectoryHash.Compute(codeDirectory);
            functions.Add(WithDeclaredRevisionId(new FunctionDefinition
            {
                Name = function.Name,
                Runtime = runtime,
                Handler = GetString(f, "handler") ?? "",
                CodeDirectory = codeDirectory,
                MemorySize = GetInt(f, "memorySize") ?? 128,
                Timeout = f.TryGetProperty("timeout", out JsonElement t) && t.TryGetDouble(out double seconds) ? seconds : 3,
                Environment = environment,
                ReservedConcurrency = GetInt(f, "reservedConcurrency"),
                Description = GetString(f, "description") ?? "",
                Logging = logging,
                LastModified = now,
                CodeSha256 = sha,
                CodeSize = size,
            }));
        }

        return functions;
    }

    /// <summary>
    /// A declared function's RevisionId is derived from what the declaration says (and its code's CodeSha256), not made
    /// new at each start: PublishVersion answers the last version when $LATEST's RevisionId is the one it was published
    /// from, and a restart with an unchanged handshake.json must not make $LATEST look changed (Lambda publishes no
    /// duplicate version). Reserved concurrency is left out, as it is no part of a version.
    /// </summary>
    internal static FunctionDefinition WithDeclaredRevisionId(FunctionDefinition declared)
    {
        StringBuilder content = new();
        foreach (string part in (string[])[declared.Name, declared.Runtime, declared.Handler, declared.CodeDirectory, declared.CodeSha256,
            declared.MemorySize.ToString(CultureInfo.InvariantCulture), declared.Timeout.ToString("R", CultureInfo.InvariantCulture), declared.Description, declared.Role,
            declared.Logging.LogFormat, declared.Logging.ApplicationLogLevel ?? "", declared.Logging.SystemLogLevel ?? "", declared.Logging.LogGroup ?? ""])
        {
            content.Append(part.Length).Append(':').Append(part).Append('\n');
        }

        foreach ((string name, string value) in declared.Environment.OrderBy(static variable => variable.Key, StringComparer.Ordinal))
        {
            content.Append(name.Length).Append(':').Append(name).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString()));
        return declared with { RevisionId = new Guid(hash.AsSpan(0, 16)).ToString() };
    }

    /// <summary>Lambda's refusal, on one line after the function it concerns.</summary>
    private static void AsProjectFileError(string where, Action check)
    {
        try
        {
            check();
        }
        catch (LambdaException e)
        {
            throw new ProjectFileException($"{where}: {e.Message}");
        }
    }

    // A function's keys and the JSON kind of each value. A key not among them (a typo such as "memmorySize") or a value
    // of another kind ("memorySize": "256") would otherwise be ignored without a word, and the function run with the
    // default: both stop `up` instead, naming the key.
    private static readonly Dictionary<string, JsonValueKind> s_functionKeys = new()
    {
        ["runtime"] = JsonValueKind.String,
        ["handler"] = JsonValueKind.String,
        ["code"] = JsonValueKind.String,
        ["memorySize"] = JsonValueKind.Number,
        ["timeout"] = JsonValueKind.Number,
        ["environment"] = JsonValueKind.Object,
        ["reservedConcurrency"] = JsonValueKind.Number,
        ["description"] = JsonValueKind.String,
        ["loggingConfig"] = JsonValueKind.Object,
    };

    private static readonly Dictionary<string, JsonValueKind> s_loggingConfigKeys = new()
    {
        ["logFormat"] = JsonValueKind.String,
        ["applicationLogLevel"] = JsonValueKind.String,
        ["systemLogLevel"] = JsonValueKind.String,
        ["logGroup"] = JsonValueKind.String,
    };

    private static void CheckKeys(JsonElement element, string where, Dictionary<string, JsonValueKind>? keys = null)
    {
        keys ??= s_functionKeys;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ProjectFileException($"{where}: expected an object {{ ... }}, not {Describe(element.ValueKind)}");
        }

        foreach (JsonProperty key in element.EnumerateObject())
        {
            if (!keys.TryGetValue(key.Name, out JsonValueKind kind))
            {
                throw new ProjectFileException($"{where}: unknown key \"{key.Name}\" (the keys are {string.Join(", ", keys.Keys)})");
            }

            if (key.Value.ValueKind != kind)
            {
                throw new ProjectFileException($"{where}: \"{key.Name}\" must be {Describe(kind)}, not {Describe(key.Value.ValueKind)}");
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? GetInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.TryGetInt32(out int i) ? i : null;
}

public sealed class ProjectFileException(string message) : Exception(message);
