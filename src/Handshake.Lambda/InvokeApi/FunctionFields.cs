using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>The configuration fields CreateFunction and UpdateFunctionConfiguration share, validated as Lambda does.</summary>
internal static partial class FunctionFields
{
    /// <exception cref="LambdaException">A field Lambda would refuse (see <see cref="LambdaRuntimes"/>, <see cref="EnvironmentVariableRules"/>).</exception>
    public static FunctionDefinition Apply(FunctionHost host, JsonElement body, FunctionDefinition function)
    {
        string? runtime = JsonResponse.String(body, "Runtime");
        if (runtime is not null)
        {
            LambdaRuntimes.Check(runtime);
        }

        // Environment is an object and its Variables strings (or nulls): the body was checked against the model's shape
        // when it was read. A null variable is dropped (it has no value; what Lambda does with one was not checked).
        Dictionary<string, string>? environment = null;
        if (body.TryGetProperty("Environment", out JsonElement env) && env.ValueKind == JsonValueKind.Object)
        {
            environment = [];
            if (env.TryGetProperty("Variables", out JsonElement variables) && variables.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty variable in variables.EnumerateObject())
                {
                    if (variable.Value.GetString() is string value)
                    {
                        environment[variable.Name] = value;
                    }
                }
            }

            EnvironmentVariableRules.Check(environment, host.Options.StoreEndpoint);
        }

        string? handler = JsonResponse.String(body, "Handler");
        string? description = JsonResponse.Description(body);
        CheckHandler(handler);
        string? role = JsonResponse.String(body, "Role");
        CheckRole(role);
        return function with
        {
            Runtime = runtime ?? function.Runtime,
            Handler = handler ?? function.Handler,
            Role = role ?? function.Role,
            Description = description ?? function.Description,
            Timeout = JsonResponse.Int(body, "Timeout", 1, 900) ?? function.Timeout,
            MemorySize = JsonResponse.Int(body, "MemorySize", 128, 10240) ?? function.MemorySize,
            Environment = environment ?? function.Environment,
            EphemeralStorageSize = EphemeralStorageSize(body) ?? function.EphemeralStorageSize,
            TracingMode = TracingMode(body) ?? function.TracingMode,
            Logging = Logging(body, function.Name) ?? function.Logging,
        };
    }

    /// <summary>TracingConfig {"Mode": "Active" | "PassThrough"}; null when absent or without a Mode (nothing changes).</summary>
    /// <exception cref="LambdaException">ValidationException for another Mode, in the model's words.</exception>
    private static string? TracingMode(JsonElement body)
    {
        if (!body.TryGetProperty("TracingConfig", out JsonElement tracing) || tracing.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? mode = JsonResponse.String(tracing, "Mode");
        return mode is null or "Active" or "PassThrough" ? mode
            : throw LambdaException.Validation($"1 validation error detected: Value '{mode}' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]");
    }

    /// <summary>
    /// LoggingConfig: present, it replaces the function's whole logging configuration (a member left out takes its
    /// default, as Lambda does: captured by another emulator's AWS recordings, and LocalStack agrees); null when absent.
    /// </summary>
    /// <exception cref="LambdaException">
    /// ValidationException for the model's enums and LogGroup pattern; InvalidParameterValueException for a level with
    /// the Text format (Lambda's text, as LocalStack's AWS-validated provider has it).
    /// </exception>
    private static FunctionLogging? Logging(JsonElement body, string functionName) =>
        body.TryGetProperty("LoggingConfig", out JsonElement logging) && logging.ValueKind == JsonValueKind.Object
            ? LoggingConfig(logging, functionName, camelCase: false)
            : null;

    /// <summary>
    /// A LoggingConfig object, checked as CreateFunction checks it. <paramref name="camelCase"/>: its members are spelled
    /// as handshake.json spells its keys (<c>logFormat</c>, <c>applicationLogLevel</c>, ...), not as the API does.
    /// </summary>
    internal static FunctionLogging LoggingConfig(JsonElement logging, string functionName, bool camelCase)
    {
        string Key(string name) => camelCase ? char.ToLowerInvariant(name[0]) + name[1..] : name;
        string format = Enum(logging, Key("LogFormat"), "loggingConfig.logFormat", ["JSON", "Text"]) ?? "Text";
        string? application = Enum(logging, Key("ApplicationLogLevel"), "loggingConfig.applicationLogLevel", ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]);
        string? system = Enum(logging, Key("SystemLogLevel"), "loggingConfig.systemLogLevel", ["DEBUG", "INFO", "WARN"]);
        string? group = JsonResponse.String(logging, Key("LogGroup"));
        if (group is not null && (group.Length is 0 or > 512 || !LogGroupPattern().IsMatch(group)))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{group}' at 'loggingConfig.logGroup' failed to satisfy constraint: " +
                (group.Length > 512 ? "Member must have length less than or equal to 512" : group.Length == 0 ? "Member must have length greater than or equal to 1" : "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"));
        }

        if (format == "Text" && (application is not null || system is not null))
        {
            throw LambdaException.InvalidParameter("LogLevel is not supported when LogFormat is set to \"Text\". Remove LogLevel from your request or change the LogFormat to \"JSON\" and try again.");
        }

        // The default group named explicitly is the default: answered the same either way.
        group = group == "/aws/lambda/" + functionName ? null : group;
        return format == "JSON" ? new FunctionLogging("JSON", application ?? "INFO", system ?? "INFO", group) : new FunctionLogging("Text", null, null, group);
    }

    private static string? Enum(JsonElement element, string name, string path, string[] values)
    {
        string? value = JsonResponse.String(element, name);
        return value is null || values.Contains(value) ? value
            : throw LambdaException.Validation($"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", values)}]");
    }

    [GeneratedRegex(@"^[\.\-_/#A-Za-z0-9]+$")]
    private static partial Regex LogGroupPattern();

    /// <summary>
    /// The model's constraints on Handler (at most 128 characters, pattern <c>[^\s]+</c>), which AWS's request
    /// validation answers before Lambda. They were not checked, so a function that deployed here was refused by its
    /// first real deployment. An empty Handler is refused too: the model's minimum length is 0, but the pattern needs
    /// one character, and AWS's validation matches a pattern against the whole value, the empty string included (the
    /// message for it is inferred from the model, not captured: README).
    /// </summary>
    /// <exception cref="LambdaException">ValidationException, with the model's wording.</exception>
    private static void CheckHandler(string? handler)
    {
        if (handler is not null && (handler.Length is 0 or > 128 || handler.Any(char.IsWhiteSpace)))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{handler}' at 'handler' failed to satisfy constraint: " +
                (handler.Length > 128 ? "Member must have length less than or equal to 128" : "Member must satisfy regular expression pattern: [^\\s]+"));
        }
    }

    /// <summary>
    /// The model's pattern for Role (RoleArn), which AWS's request validation answers before Lambda with
    /// ValidationException (a role name instead of its ARN is the common mistake, reported publicly as a
    /// ValidationException: terraform-provider-aws#13709). It was not checked, so such a function deployed here.
    /// </summary>
    /// <exception cref="LambdaException">ValidationException, with the model's wording.</exception>
    private static void CheckRole(string? role)
    {
        if (role is not null && !RolePattern().IsMatch(role))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: {RoleArnPattern}");
        }
    }

    private const string RoleArnPattern = @"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";

    [GeneratedRegex("^(?:" + RoleArnPattern + ")$")]
    private static partial Regex RolePattern();

    /// <summary>EphemeralStorage {"Size": MB}: CreateFunction and UpdateFunctionConfiguration; null when absent.</summary>
    /// <exception cref="LambdaException">ValidationException outside the model's 512-10,240, or without Size.</exception>
    private static int? EphemeralStorageSize(JsonElement body)
    {
        if (!body.TryGetProperty("EphemeralStorage", out JsonElement storage) || storage.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return JsonResponse.Int(storage, "Size", 512, 10240, "ephemeralStorage.size")
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'ephemeralStorage.size' failed to satisfy constraint: Member must not be null");
    }

    /// <summary>
    /// Architectures: CreateFunction and UpdateFunctionCode take it (UpdateFunctionConfiguration's model has no such
    /// member). The function's current architecture when absent. Before this, the member was not read: a function created
    /// with ["arm64"] was answered "x86_64", which the AWS CLI and deploy tools that compare what they sent notice.
    /// </summary>
    /// <exception cref="LambdaException">ValidationException for the model's constraints (one member of [x86_64, arm64]).</exception>
    public static string Architecture(JsonElement body, string current)
    {
        if (!body.TryGetProperty("Architectures", out JsonElement architectures) || architectures.ValueKind == JsonValueKind.Null)
        {
            return current;
        }

        List<string> values = [];
        foreach (JsonElement value in architectures.EnumerateArray())
        {
            values.Add(value.GetString() ?? "null");
        }

        string shown = "[" + string.Join(", ", values) + "]";
        if (values.Count != 1)
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{shown}' at 'architectures' failed to satisfy constraint: Member must have length {(values.Count == 0 ? "greater than or equal to 1" : "less than or equal to 1")}");
        }

        if (values[0] is not (FunctionDefinition.X86_64 or FunctionDefinition.Arm64))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{shown}' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]");
        }

        return values[0];
    }

    /// <exception cref="LambdaException">
    /// PreconditionFailedException when the request carries a RevisionId that is not the function's. Called with the
    /// definition the update replaces (inside <see cref="FunctionHost.UpdateFunction"/>), so that two updates carrying
    /// the same RevisionId cannot both succeed.
    /// </exception>
    public static void CheckRevisionId(JsonElement body, FunctionDefinition current)
    {
        if (JsonResponse.String(body, "RevisionId") is string revisionId && revisionId != current.RevisionId)
        {
            throw LambdaException.PreconditionFailed();
        }
    }

    /// <summary>Publish=true: CreateFunction and UpdateFunctionCode publish a version and answer its configuration.</summary>
    public static bool Publish(JsonElement body) =>
        body.TryGetProperty("Publish", out JsonElement publish) && publish.ValueKind == JsonValueKind.True;

    /// <summary>Code.ZipFile (base64, unpacked under the data directory) or S3Bucket "hot-reload" with S3Key = a local directory.</summary>
    public static (string Directory, string Sha256, long Size) InstallCode(FunctionHost host, string functionName, JsonElement code)
    {
        (byte[]? zip, string? directory) = Source(code);
        return zip is not null ? FunctionCode.InstallZip(host.DataDirectory, functionName, zip) : FunctionCode.UseDirectory(directory!);
    }

    /// <summary>The checks <see cref="InstallCode"/> makes, without unpacking anything (UpdateFunctionCode's DryRun).</summary>
    /// <exception cref="LambdaException">InvalidParameterValueException, as <see cref="InstallCode"/> would throw it.</exception>
    public static void CheckCode(JsonElement code)
    {
        (byte[]? zip, string? directory) = Source(code);
        if (zip is not null)
        {
            FunctionCode.CheckZip(zip);
        }
        else
        {
            _ = FunctionCode.UseDirectory(directory!);
        }
    }

    /// <summary>Exactly one of the two: the zip's bytes, or the local directory.</summary>
    private static (byte[]? Zip, string? Directory) Source(JsonElement code)
    {
        string? zip = JsonResponse.String(code, "ZipFile");
        string? bucket = JsonResponse.String(code, "S3Bucket");
        if (zip is not null)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(zip);
            }
            catch (FormatException)
            {
                throw LambdaException.InvalidParameter(FunctionCode.CannotUnzip);
            }

            return bytes.Length > FunctionCode.MaxZippedBytes ? throw LambdaException.InvalidParameter(FunctionCode.ZippedTooLarge) : (bytes, null);
        }

        if (bucket == FunctionCode.LocalDirectoryBucket && JsonResponse.String(code, "S3Key") is string directory)
        {
            return (null, directory);
        }

        if (bucket is not null || JsonResponse.String(code, "ImageUri") is not null)
        {
            throw LambdaException.InvalidParameter($"Handshake runs code from Code.ZipFile or from a local directory (S3Bucket \"{FunctionCode.LocalDirectoryBucket}\", S3Key = the directory); S3 objects and images are not supported.");
        }

        throw LambdaException.InvalidParameter("Please provide a source for function code.");
    }
}
