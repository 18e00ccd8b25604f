using System.Diagnostics;

namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>What a child process printed, and how it ended.</summary>
public sealed record OracleProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs an official client (node, python3, aws) as a child process with a hard time bound. The child gets an
/// isolated AWS environment: dummy credentials, no config or credentials files, no inherited profile or endpoint, so
/// nothing on the machine can point it anywhere but the store under test.
/// </summary>
public static class OracleProcess
{
    public static async Task<OracleProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.ClientsDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in startInfo.Environment.Keys.ToArray())
        {
            if (name.StartsWith("AWS_", StringComparison.Ordinal))
            {
                startInfo.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in IsolatedEnvironment(extraEnvironment))
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            var partialError = await standardError.WaitAsync(TimeSpan.FromSeconds(5));
            throw new TimeoutException(
                $"{fileName} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout.TotalSeconds} s; stderr:\n{Tail(partialError)}");
        }

        var output = await standardOutput.WaitAsync(TimeSpan.FromSeconds(10));
        var error = await standardError.WaitAsync(TimeSpan.FromSeconds(10));
        return new OracleProcessResult(process.ExitCode, output, error);
    }

    /// <summary>
    /// Runs `aws ARGUMENTS` as <see cref="RunAsync"/> would run it, in the same isolated environment, but in a worker
    /// that stays up (<see cref="AwsCli"/>: the CLI's own entry point, without its start of about a second per command).
    /// </summary>
    public static async Task<OracleProcessResult> RunAwsCliAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        string[] inherited = [.. Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("AWS_", StringComparison.Ordinal))];
        var (exitCode, stdout, stderr) = await AwsCli.RunAsync(arguments, IsolatedEnvironment(null), RepositoryLayout.ClientsDirectory, inherited, timeout);
        return new OracleProcessResult(exitCode, stdout, stderr);
    }

    /// <summary>What every oracle's environment sets, over a machine's own with its AWS_ variables taken out.</summary>
    private static Dictionary<string, string> IsolatedEnvironment(IReadOnlyDictionary<string, string>? extraEnvironment)
    {
        Dictionary<string, string> environment = new()
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDORACLE",
            ["AWS_SECRET_ACCESS_KEY"] = "oracle-secret",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_PAGER"] = "",
            ["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1",
            ["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = "1",
            ["NODE_PATH"] = Path.Combine(RepositoryLayout.ClientsDirectory, "node_modules"),
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return environment;
    }

    public static string Tail(string text, int length = 4000) => text.Length <= length ? text : text[^length..];
}
