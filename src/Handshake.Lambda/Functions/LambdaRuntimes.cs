namespace Handshake.Lambda.Functions;

/// <summary>
/// Which runtime identifiers a function may be created or updated with, checked as Lambda checks them: an identifier
/// Lambda does not know, one Lambda has retired, and (Handshake's own case) a real Lambda runtime that Handshake cannot
/// run each get their own error, so that nothing is accepted here that Lambda would refuse.
/// </summary>
public static class LambdaRuntimes
{
    /// <summary>
    /// Lambda's Runtime enum (botocore 1.43, lambda 2015-03-31 model), deprecated identifiers included: Lambda keeps
    /// them in its model and refuses them with "no longer supported" rather than as unknown.
    /// </summary>
    public static readonly IReadOnlyList<string> All =
    [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
        "java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
        "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge",
        "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10", "java17", "ruby3.2",
        "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21", "python3.13",
        "nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0",
    ];

    /// <summary>
    /// Runtimes whose "block function create" and "block function update" dates in AWS's deprecated-runtimes table
    /// had passed by 2026-11, with the runtime Lambda's error recommends instead. Runtimes deprecated later (nodejs16.x,
    /// nodejs18.x, python3.8, python3.9, dotnet6, java8.al2, ...) are left out: AWS has moved their block dates more
    /// than once and still lets existing tooling create them, so refusing them here could refuse what Lambda accepts.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Retired = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["nodejs"] = "nodejs24.x",
        ["nodejs4.3"] = "nodejs24.x",
        ["nodejs4.3-edge"] = "nodejs24.x",
        ["nodejs6.10"] = "nodejs24.x",
        ["nodejs8.10"] = "nodejs24.x",
        ["nodejs10.x"] = "nodejs24.x",
        ["nodejs12.x"] = "nodejs24.x",
        ["nodejs14.x"] = "nodejs24.x",
        ["dotnetcore1.0"] = "dotnet10",
        ["dotnetcore2.0"] = "dotnet10",
        ["dotnetcore2.1"] = "dotnet10",
        ["dotnetcore3.1"] = "dotnet10",
        ["python2.7"] = "python3.14",
        ["python3.6"] = "python3.14",
        ["python3.7"] = "python3.14",
        ["java8"] = "java25",
        ["ruby2.5"] = "ruby3.4",
        ["ruby2.7"] = "ruby3.4",
        ["go1.x"] = "provided.al2023",
        ["provided"] = "provided.al2023",
    };

    /// <summary>
    /// The short names handshake.json accepts besides AWS identifiers. `provided` and `nodejs` are also retired AWS
    /// identifiers, so they are Handshake shorthands in the project file only, never on the Lambda API.
    /// </summary>
    public static readonly IReadOnlySet<string> ProjectFileShorthands = new HashSet<string>(StringComparer.Ordinal) { "provided", "dotnet", "nodejs" };

    /// <exception cref="LambdaException">
    /// InvalidParameterValueException, with Lambda's message for an unknown or a retired runtime, and with Handshake's
    /// for a Lambda runtime it does not run (python, java, ruby).
    /// </exception>
    public static void Check(string runtime)
    {
        if (Retired.TryGetValue(runtime, out string? instead))
        {
            throw LambdaException.InvalidParameter($"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime ({instead}) while creating or updating functions.");
        }

        if (!All.Contains(runtime))
        {
            // Lambda's own check (not the model's), hence InvalidParameterValueException, no "1 validation error
            // detected" and no quotes; its list is the runtimes a function can be created with today.
            throw LambdaException.InvalidParameter($"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", All.Where(r => !Retired.ContainsKey(r)))}] or be a valid ARN");
        }

        if (!FunctionRuntime.TryParse(runtime, out _))
        {
            throw LambdaException.InvalidParameter($"{runtime} is a Lambda runtime that Handshake does not run. Handshake runs the provided.al2023 and provided.al2 custom runtimes and the dotnet and nodejs runtimes (a bootstrap in a provided runtime can run any language).");
        }
    }
}
