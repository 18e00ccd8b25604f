using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Persistence;

/// <summary>What the state database holds for one function, read back at start (see <see cref="FunctionDocuments"/>).</summary>
internal sealed class SavedFunction(string name, string dataDirectory)
{
    public string Name { get; } = name;

    /// <summary>$LATEST of a function made through the API; null for the saved state of a declared function.</summary>
    public FunctionDefinition? Configuration { get; private set; }

    public int LastVersion { get; private set; }

    public string? PublishedRevisionId { get; private set; }

    public SortedDictionary<int, FunctionDefinition> Versions { get; } = [];

    public List<FunctionAlias> Aliases { get; } = [];

    public List<FunctionUrlConfig> Urls { get; } = [];

    public List<EventInvokeConfig> EventInvokeConfigs { get; } = [];

    public Dictionary<string, ResourcePolicy> Policies { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Tags { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Every function's saved state, by name.</summary>
    /// <exception cref="LambdaStateException">A document that cannot be read: the host refuses to start rather than drop part of a function.</exception>
    public static Dictionary<string, SavedFunction> ReadAll(LambdaStateDatabase database)
    {
        Dictionary<string, SavedFunction> functions = new(StringComparer.Ordinal);
        foreach ((string key, string body) in database.Load(FunctionDocuments.Kind))
        {
            try
            {
                string[] parts = key.Split('/', 3);
                if (parts.Length < 2 || parts[0].Length == 0)
                {
                    throw new FormatException("the key names no function");
                }

                if (!functions.TryGetValue(parts[0], out SavedFunction? function))
                {
                    functions[parts[0]] = function = new SavedFunction(parts[0], database.Directory);
                }

                function.Read(parts[1], parts.Length == 3 ? parts[2] : null, body);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidCastException or JsonException or OverflowException or ArgumentException)
            {
                throw new LambdaStateException(
                    $"{database.FilePath}: the saved Lambda document '{FunctionDocuments.Kind}/{key}' cannot be read ({e.Message}). " +
                    "Move the file aside to start without the saved functions, or use another --data-dir.", e);
            }
        }

        return functions;
    }

    private void Read(string part, string? qualifier, string body)
    {
        switch (part, qualifier)
        {
            case (FunctionDocuments.Configuration, null):
                Configuration = FunctionDocuments.ReadFunction(body, dataDirectory);
                Check(Configuration.Name == Name && !Configuration.IsPublished, "the configuration is another function's");
                break;
            case (FunctionDocuments.Publish, null):
                (LastVersion, PublishedRevisionId) = FunctionDocuments.ReadPublish(body);
                break;
            case (FunctionDocuments.Tags, null):
                Tags = FunctionDocuments.ReadTags(body);
                break;
            case (FunctionDocuments.Version, { } number):
                FunctionDefinition version = FunctionDocuments.ReadVersion(body, dataDirectory);
                Check(version.Name == Name && version.Version == number, "the version is another one's");
                Versions[int.Parse(number, NumberStyles.None, CultureInfo.InvariantCulture)] = version;
                break;
            case (FunctionDocuments.Alias, { } alias):
                FunctionAlias read = FunctionDocuments.ReadAlias(body);
                Check(read.Name == alias, "the alias is another one's");
                Aliases.Add(read);
                break;
            case (FunctionDocuments.Url, { } urlQualifier):
                Urls.Add(FunctionDocuments.ReadUrl(Name, urlQualifier, body));
                break;
            case (FunctionDocuments.EventInvokeConfig, { } configQualifier):
                EventInvokeConfigs.Add(FunctionDocuments.ReadEventInvokeConfig(configQualifier, body));
                break;
            case (FunctionDocuments.Policy, { } policyQualifier):
                Policies[policyQualifier] = FunctionDocuments.ReadPolicy(body);
                break;
            default:
                throw new FormatException("unknown document");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }
}
