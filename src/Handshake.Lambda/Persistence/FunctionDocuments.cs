using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Persistence;

/// <summary>
/// The saved documents of the functions' control-plane state, kind <see cref="Kind"/> in <see cref="LambdaStateDatabase"/>.
/// Every key starts with the function's name and a slash (a name is [a-zA-Z0-9-_], so no name's prefix is another's):
/// DeleteFunction removes all of a function's documents with one DeletePrefix.
///
/// <code>
/// NAME/configuration            the function made through the API: FunctionConfiguration, ReservedConcurrentExecutions, code directory
/// NAME/publish                  the last version number given and $LATEST's RevisionId then (numbers are never reused)
/// NAME/version/N                a published version: FunctionConfiguration and code directory
/// NAME/alias/ALIAS              AliasConfiguration, as GetAlias answers it
/// NAME/url/QUALIFIER            FunctionUrlConfig ($LATEST or an alias), with its url-id
/// NAME/event-invoke-config/Q    FunctionEventInvokeConfig, as GetFunctionEventInvokeConfig answers it
/// NAME/policy/Q                 {"Policy", "RevisionId"}, as GetPolicy answers it
/// NAME/tags                     {"Tags"}, as ListTags answers it
/// </code>
///
/// The shapes are Lambda's, with member names as the API's; where the API's answer rounds a value (Timeout in whole
/// seconds, LastModified in milliseconds) the document keeps the exact value, so a restored function answers exactly
/// what it answered before. A function declared in the project file has no configuration document (the file is its
/// source of truth at each start); what was made for it through the API (versions, aliases and the rest) is saved.
/// </summary>
internal static class FunctionDocuments
{
    public const string Kind = "function";

    public const string Configuration = "configuration";
    public const string Publish = "publish";
    public const string Version = "version";
    public const string Alias = "alias";
    public const string Url = "url";
    public const string EventInvokeConfig = "event-invoke-config";
    public const string Policy = "policy";
    public const string Tags = "tags";

    /// <summary>Every key of the function starts with this.</summary>
    public static string Prefix(string functionName) => functionName + "/";

    public static string Key(string functionName, string part) => functionName + "/" + part;

    public static string Key(string functionName, string part, string qualifier) => functionName + "/" + part + "/" + qualifier;

    // ---- Writing ----

    /// <summary>A function made through the API ($LATEST), with its reserved concurrency.</summary>
    public static string WriteFunction(FunctionHost host, FunctionDefinition function) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        WriteConfiguration(writer, host, function);
        if (function.ReservedConcurrency is int reserved)
        {
            writer.WriteNumber("ReservedConcurrentExecutions", reserved);
        }

        writer.WriteString("CodeDirectory", SavedCodeDirectory(host, function.CodeDirectory));
        writer.WriteEndObject();
    });

    /// <summary>A published version: an immutable snapshot, its code directory with it.</summary>
    public static string WriteVersion(FunctionHost host, FunctionDefinition version) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        WriteConfiguration(writer, host, version);
        writer.WriteString("CodeDirectory", SavedCodeDirectory(host, version.CodeDirectory));
        writer.WriteEndObject();
    });

    public static string WritePublish(int lastVersion, string? publishedRevisionId) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("LastVersion", lastVersion);
        if (publishedRevisionId is not null)
        {
            writer.WriteString("PublishedRevisionId", publishedRevisionId);
        }

        writer.WriteEndObject();
    });

    public static string WriteAlias(FunctionHost host, string functionName, FunctionAlias alias) =>
        LambdaStateDatabase.Document(writer => InvokeApi.AliasConfigurationJson.Write(writer, host, functionName, alias));

    public static string WriteUrl(FunctionHost host, FunctionUrlConfig config) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("FunctionArn", host.Arn(config.FunctionName) + (config.Qualifier is null ? "" : ":" + config.Qualifier));
        writer.WriteString("UrlId", config.UrlId);
        writer.WriteString("AuthType", config.AuthType);
        if (config.Cors is { } cors)
        {
            InvokeApi.FunctionUrlConfigJson.WriteCors(writer, cors);
        }

        writer.WriteString("CreationTime", config.CreationTime.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("LastModifiedTime", config.LastModifiedTime.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("InvokeMode", config.InvokeMode);
        writer.WriteEndObject();
    });

    public static string WriteEventInvokeConfig(FunctionHost host, string functionName, EventInvokeConfig config) =>
        LambdaStateDatabase.Document(writer => InvokeApi.EventInvokeConfigJson.Write(writer, host, functionName, config));

    public static string WritePolicy(ResourcePolicy policy) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("Policy", policy.Document());
        writer.WriteString("RevisionId", policy.RevisionId);
        writer.WriteEndObject();
    });

    public static string WriteTags(IReadOnlyDictionary<string, string> tags) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        InvokeApi.FunctionTags.Write(writer, tags);
        writer.WriteEndObject();
    });

    // ---- Reading: each throws FormatException for a document it cannot read ----

    /// <param name="dataDirectory">The host's data directory now: unpacked code is saved relative to it (<see cref="SavedCodeDirectory"/>).</param>
    public static FunctionDefinition ReadFunction(string body, string dataDirectory)
    {
        JsonObject document = Parse(body);
        return ReadConfiguration(document, dataDirectory) with
        {
            ReservedConcurrency = document["ReservedConcurrentExecutions"] is { } reserved ? (int)reserved : null,
        };
    }

    public static FunctionDefinition ReadVersion(string body, string dataDirectory) => ReadConfiguration(Parse(body), dataDirectory);

    public static (int LastVersion, string? PublishedRevisionId) ReadPublish(string body)
    {
        JsonObject document = Parse(body);
        return ((int)Required(document, "LastVersion"), (string?)document["PublishedRevisionId"]);
    }

    public static FunctionAlias ReadAlias(string body)
    {
        JsonObject document = Parse(body);
        string? additional = null;
        double weight = 0;
        if (document["RoutingConfig"]?["AdditionalVersionWeights"] is JsonObject weights)
        {
            foreach ((string version, JsonNode? value) in weights)
            {
                additional = version;
                weight = (double)(value ?? throw new FormatException($"no weight for version {version}"));
            }
        }

        return new FunctionAlias
        {
            Name = (string)Required(document, "Name")!,
            FunctionVersion = (string)Required(document, "FunctionVersion")!,
            Description = (string?)document["Description"] ?? "",
            AdditionalVersion = additional,
            AdditionalWeight = weight,
            RevisionId = (string)Required(document, "RevisionId")!,
        };
    }

    public static FunctionUrlConfig ReadUrl(string functionName, string qualifier, string body)
    {
        JsonObject document = Parse(body);
        FunctionUrlCors? cors = document["Cors"] is JsonObject c
            ? new FunctionUrlCors
            {
                AllowCredentials = (bool?)c["AllowCredentials"],
                AllowHeaders = Strings(c["AllowHeaders"]),
                AllowMethods = Strings(c["AllowMethods"]),
                AllowOrigins = Strings(c["AllowOrigins"]),
                ExposeHeaders = Strings(c["ExposeHeaders"]),
                MaxAge = (int?)c["MaxAge"],
            }
            : null;
        return new FunctionUrlConfig
        {
            FunctionName = functionName,
            Qualifier = qualifier == FunctionDefinition.LatestVersion ? null : qualifier,
            UrlId = (string)Required(document, "UrlId")!,
            AuthType = (string)Required(document, "AuthType")!,
            Cors = cors,
            InvokeMode = (string?)document["InvokeMode"] ?? FunctionUrlConfig.Buffered,
            CreationTime = Time(document, "CreationTime"),
            LastModifiedTime = Time(document, "LastModifiedTime"),
        };
    }

    public static EventInvokeConfig ReadEventInvokeConfig(string qualifier, string body)
    {
        JsonObject document = Parse(body);
        double seconds = (double)Required(document, "LastModified");
        return new EventInvokeConfig(
            qualifier,
            (int?)document["MaximumRetryAttempts"],
            (int?)document["MaximumEventAgeInSeconds"],
            (string?)document["DestinationConfig"]?["OnSuccess"]?["Destination"],
            (string?)document["DestinationConfig"]?["OnFailure"]?["Destination"],
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)));
    }

    public static ResourcePolicy ReadPolicy(string body)
    {
        JsonObject document = Parse(body);
        JsonObject policy = Parse((string)Required(document, "Policy")!);
        List<JsonObject> statements = [];
        foreach (JsonNode? statement in policy["Statement"] as JsonArray ?? throw new FormatException("Policy has no Statement array"))
        {
            statements.Add(statement as JsonObject ?? throw new FormatException("a Statement is not an object"));
        }

        return ResourcePolicy.Restore(statements, (string)Required(document, "RevisionId")!);
    }

    public static SortedDictionary<string, string> ReadTags(string body)
    {
        SortedDictionary<string, string> tags = new(StringComparer.Ordinal);
        foreach ((string key, JsonNode? value) in Parse(body)["Tags"] as JsonObject ?? throw new FormatException("no Tags object"))
        {
            tags[key] = (string?)value ?? throw new FormatException($"no value for tag {key}");
        }

        return tags;
    }

    // ---- Shared ----

    /// <summary>
    /// Code unpacked from a zip lives under the data directory and is saved relative to it ("functions/NAME/SHA"), so
    /// that a moved or renamed data directory still finds it (read back with Path.Combine, which keeps an absolute path
    /// as it is). A hot-reload directory is the user's, outside it, and stays absolute.
    /// </summary>
    private static string SavedCodeDirectory(FunctionHost host, string codeDirectory) =>
        host.IsUnpackedCode(codeDirectory) ? Path.GetRelativePath(host.DataDirectory, codeDirectory) : codeDirectory;

    /// <summary>GetFunctionConfiguration's members that describe the function, with the exact Timeout and LastModified.</summary>
    private static void WriteConfiguration(Utf8JsonWriter writer, FunctionHost host, FunctionDefinition function)
    {
        writer.WriteString("FunctionName", function.Name);
        writer.WriteString("FunctionArn", host.Arn(function.Name) + (function.IsPublished ? ":" + function.Version : ""));
        writer.WriteString("Runtime", function.Runtime);
        writer.WriteString("Role", function.Role);
        writer.WriteString("Handler", function.Handler);
        writer.WriteNumber("CodeSize", function.CodeSize);
        writer.WriteString("Description", function.Description);
        writer.WriteNumber("Timeout", function.Timeout);
        writer.WriteNumber("MemorySize", function.MemorySize);
        writer.WriteString("LastModified", function.LastModified.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("CodeSha256", function.CodeSha256);
        writer.WriteString("Version", function.Version);
        writer.WriteStartObject("Environment");
        writer.WriteStartObject("Variables");
        foreach ((string name, string value) in function.Environment)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        InvokeApi.FunctionConfigurationJson.WriteArchitectureAndStorage(writer, function);
        writer.WriteStartObject("TracingConfig");
        writer.WriteString("Mode", function.TracingMode);
        writer.WriteEndObject();
        InvokeApi.FunctionConfigurationJson.WriteLoggingConfig(writer, function);
        writer.WriteString("RevisionId", function.RevisionId);
    }

    private static FunctionDefinition ReadConfiguration(JsonObject document, string dataDirectory)
    {
        Dictionary<string, string> variables = new(StringComparer.Ordinal);
        if (document["Environment"]?["Variables"] is JsonObject environment)
        {
            foreach ((string name, JsonNode? value) in environment)
            {
                variables[name] = (string?)value ?? throw new FormatException($"no value for environment variable {name}");
            }
        }

        return new FunctionDefinition
        {
            Name = (string)Required(document, "FunctionName")!,
            Runtime = (string)Required(document, "Runtime")!,
            Role = (string?)document["Role"] ?? "",
            Handler = (string?)document["Handler"] ?? "",
            CodeDirectory = Path.Combine(dataDirectory, (string)Required(document, "CodeDirectory")!),
            CodeSize = (long)Required(document, "CodeSize"),
            Description = (string?)document["Description"] ?? "",
            Timeout = (double)Required(document, "Timeout"),
            MemorySize = (int)Required(document, "MemorySize"),
            LastModified = Time(document, "LastModified"),
            CodeSha256 = (string)Required(document, "CodeSha256")!,
            Version = (string)Required(document, "Version")!,
            Environment = variables,
            // Absent from documents saved before the host recorded them: Lambda's defaults, which those functions had.
            Architecture = (string?)document["Architectures"]?[0] ?? FunctionDefinition.X86_64,
            EphemeralStorageSize = (int?)document["EphemeralStorage"]?["Size"] ?? 512,
            TracingMode = (string?)document["TracingConfig"]?["Mode"] ?? "PassThrough",
            Logging = ReadLogging(document["LoggingConfig"], (string)Required(document, "FunctionName")!),
            RevisionId = (string)Required(document, "RevisionId")!,
        };
    }

    /// <summary>LoggingConfig as <see cref="InvokeApi.FunctionConfigurationJson.WriteLoggingConfig"/> saved it; Text when absent (older documents).</summary>
    private static FunctionLogging ReadLogging(JsonNode? node, string functionName)
    {
        if (node is not JsonObject logging)
        {
            return FunctionLogging.Default;
        }

        string group = (string?)logging["LogGroup"] ?? "/aws/lambda/" + functionName;
        return new FunctionLogging((string?)logging["LogFormat"] ?? "Text", (string?)logging["ApplicationLogLevel"], (string?)logging["SystemLogLevel"],
            group == "/aws/lambda/" + functionName ? null : group);
    }

    private static IReadOnlyList<string>? Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(static v => (string?)v ?? throw new FormatException("null in a list of strings"))] : null;

    private static DateTimeOffset Time(JsonObject document, string name) =>
        DateTimeOffset.Parse((string)Required(document, name)!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static JsonNode Required(JsonObject document, string name) =>
        document[name] ?? throw new FormatException($"no {name}");

    private static JsonObject Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new FormatException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
