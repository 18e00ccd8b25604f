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
///                                  "reservedConcurrency": 4, "description": "..." } } }
/// </code>
/// `code` is relative to the project file's directory. Only `runtime` and `code` are required. The runtime and the
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
            declared.MemorySize.ToString(CultureInfo.InvariantCulture), declared.Timeout.ToString("R", CultureInfo.InvariantCulture), declared.Description, declared.Role])
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

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? GetInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.TryGetInt32(out int i) ? i : null;
}

public sealed class ProjectFileException(string message) : Exception(message);
