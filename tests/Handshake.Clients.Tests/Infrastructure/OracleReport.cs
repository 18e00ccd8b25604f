using System.Text.Json;

namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>
/// The error an official client surfaced for one call: its error name, AWS error code, message, HTTP status, and the
/// class the SDK built for it (v3 builds one class per modeled error).
/// </summary>
public sealed record OracleError(string? Name, string? Code, string? Message, int? Status, string? Class);

/// <summary>
/// What one oracle script run observed: named observations (a returned value or a surfaced error) and counters.
/// Scripts print it as one JSON object on the last line of stdout; SDK warnings on stderr are not failures.
/// </summary>
public sealed class OracleReport
{
    private readonly JsonElement observations;
    private readonly JsonElement stats;
    private readonly JsonElement? modelViolations;

    private OracleReport(JsonElement root, string what)
    {
        What = what;
        observations = root.GetProperty("observations");
        stats = root.GetProperty("stats");
        modelViolations = root.TryGetProperty("model_violations", out var violations) ? violations : null;
    }

    public string What { get; }

    public static OracleReport Parse(OracleProcessResult result, string what)
    {
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || lines.Length == 0 || !lines[^1].StartsWith('{'))
        {
            throw new InvalidOperationException(
                $"{what} exited {result.ExitCode} without a result line.\nstdout:\n{OracleProcess.Tail(result.StandardOutput)}\nstderr:\n{OracleProcess.Tail(result.StandardError)}");
        }

        // Clone so the report outlives the document it was parsed from.
        var root = JsonDocument.Parse(lines[^1]).RootElement.Clone();
        if (root.TryGetProperty("fatal", out var fatal) && fatal.ValueKind != JsonValueKind.Null)
        {
            throw new InvalidOperationException($"{what} stopped early: {fatal}\nstderr:\n{OracleProcess.Tail(result.StandardError)}");
        }

        return new OracleReport(root, what);
    }

    /// <summary>The value a call returned; fails the test with the surfaced error if the call failed.</summary>
    public JsonElement Value(string name)
    {
        var observation = Observation(name);
        if (!observation.GetProperty("ok").GetBoolean())
        {
            Assert.Fail($"{What}: {name} failed: {observation.GetProperty("error")}");
        }

        return observation.GetProperty("value");
    }

    /// <summary>The error a call surfaced; fails the test if the call succeeded.</summary>
    public OracleError Error(string name)
    {
        var observation = Observation(name);
        if (observation.GetProperty("ok").GetBoolean())
        {
            Assert.Fail($"{What}: {name} succeeded but should have failed: {observation.GetProperty("value")}");
        }

        var error = observation.GetProperty("error");
        return new OracleError(
            StringOrNull(error, "name"), StringOrNull(error, "code"), StringOrNull(error, "message"),
            error.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32() : null,
            StringOrNull(error, "constructorName"));
    }

    public long Stat(string name) => stats.GetProperty(name).GetInt64();

    /// <summary>
    /// What tests/clients/model_audit.py found wrong in the answers against botocore's model of the service (a member
    /// it does not have, a wrong JSON type, a value outside an enum); only the boto3 scripts run the audit.
    /// </summary>
    public IReadOnlyList<string> ModelViolations =>
        modelViolations is { } list ? [.. list.EnumerateArray().Select(v => v.GetString()!)]
            : throw new InvalidOperationException($"{What} ran no model audit");

    public string StatsText => stats.ToString();

    private JsonElement Observation(string name)
    {
        if (!observations.TryGetProperty(name, out var observation))
        {
            Assert.Fail($"{What}: no observation named {name}");
        }

        return observation;
    }

    private static string? StringOrNull(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
