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

        startInfo.Environment["AWS_ACCESS_KEY_ID"] = "AKIDORACLE";
        startInfo.Environment["AWS_SECRET_ACCESS_KEY"] = "oracle-secret";
        startInfo.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        startInfo.Environment["AWS_REGION"] = "us-east-1";
        startInfo.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        startInfo.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        startInfo.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        startInfo.Environment["AWS_PAGER"] = "";
        startInfo.Environment["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1";
        startInfo.Environment["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = "1";
        startInfo.Environment["NODE_PATH"] = Path.Combine(RepositoryLayout.ClientsDirectory, "node_modules");
        startInfo.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        if (extraEnvironment is not null)
        {
            foreach (var (name, value) in extraEnvironment)
            {
                startInfo.Environment[name] = value;
            }
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

    public static string Tail(string text, int length = 4000) => text.Length <= length ? text : text[^length..];
}
