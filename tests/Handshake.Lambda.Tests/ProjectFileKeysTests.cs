using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// handshake.json's keys: a key the file does not know, or a value of the wrong JSON kind, stops the load with a line
/// naming it (it was ignored, and the function ran with the default); `loggingConfig` declares LoggingConfig, checked
/// as CreateFunction checks it.
/// </summary>
public sealed class ProjectFileKeysTests : IDisposable
{
    private readonly string _project = Directory.CreateTempSubdirectory("handshake-project-keys-").FullName;

    public ProjectFileKeysTests() => Directory.CreateDirectory(Path.Combine(_project, "code"));

    public void Dispose() => Directory.Delete(_project, recursive: true);

    [Theory]
    [InlineData("""{"memmorySize": 256}""", "function 'fn': unknown key \"memmorySize\" (the keys are runtime, handler, code, memorySize, timeout, environment, reservedConcurrency, description, loggingConfig)")]
    [InlineData("""{"memorySize": "256"}""", "function 'fn': \"memorySize\" must be a number, not a string")]
    [InlineData("""{"timeout": null}""", "function 'fn': \"timeout\" must be a number, not null")]
    [InlineData("""{"environment": ["A=1"]}""", "function 'fn': \"environment\" must be an object, not an array")]
    [InlineData("""{"loggingConfig": {"format": "JSON"}}""", "function 'fn': \"loggingConfig\": unknown key \"format\" (the keys are logFormat, applicationLogLevel, systemLogLevel, logGroup)")]
    [InlineData("""{"loggingConfig": {"logFormat": "json"}}""", "function 'fn': 1 validation error detected: Value 'json' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]")]
    [InlineData("""{"loggingConfig": {"logFormat": "Text", "applicationLogLevel": "DEBUG"}}""", "function 'fn': LogLevel is not supported when LogFormat is set to \"Text\". Remove LogLevel from your request or change the LogFormat to \"JSON\" and try again.")]
    public void A_key_the_file_does_not_take_or_a_value_of_the_wrong_kind_is_refused_by_name(string extra, string expected)
    {
        string file = Write(Function(extra));

        ProjectFileException refused = Assert.Throws<ProjectFileException>(() => ProjectFile.Load(file));

        Assert.Equal($"{file}: {expected}", refused.Message);
    }

    [Fact]
    public void A_function_that_is_not_an_object_is_refused_not_a_crash()
    {
        string file = Write("""{"functions": {"fn": 5}}""");

        ProjectFileException refused = Assert.Throws<ProjectFileException>(() => ProjectFile.Load(file));

        Assert.Equal($"{file}: function 'fn': expected an object {{ ... }}, not a number", refused.Message);
    }

    [Fact]
    public void LoggingConfig_is_declared_as_CreateFunction_takes_it_and_is_part_of_the_declarations_RevisionId()
    {
        FunctionDefinition text = Assert.Single(ProjectFile.Load(Write(Function(""))));
        FunctionDefinition json = Assert.Single(ProjectFile.Load(Write(Function("""{"loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "DEBUG"}}"""))));
        FunctionDefinition warn = Assert.Single(ProjectFile.Load(Write(Function("""{"loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "DEBUG", "systemLogLevel": "WARN"}}"""))));

        Assert.Equal(FunctionLogging.Default, text.Logging);
        // The levels left out take Lambda's default, INFO, as CreateFunction's do.
        Assert.Equal(new FunctionLogging("JSON", "DEBUG", "INFO", null), json.Logging);
        Assert.Equal(new FunctionLogging("JSON", "DEBUG", "WARN", null), warn.Logging);
        Assert.Equal(3, new[] { text.RevisionId, json.RevisionId, warn.RevisionId }.Distinct().Count());
        Assert.Equal(json.RevisionId, Assert.Single(ProjectFile.Load(Write(Function("""{"loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "DEBUG"}}""")))).RevisionId);
    }

    /// <summary>One function `fn` with the required keys, and the members of <paramref name="extra"/> (a JSON object, or empty).</summary>
    private static string Function(string extra)
    {
        string members = extra.Length == 0 ? "" : ", " + extra.Trim()[1..^1];
        return "{\"functions\": {\"fn\": {\"runtime\": \"provided.al2023\", \"code\": \"code\"" + members + "}}}";
    }

    private string Write(string json)
    {
        string file = Path.Combine(_project, ProjectFile.DefaultFileName);
        File.WriteAllText(file, json);
        return file;
    }
}
