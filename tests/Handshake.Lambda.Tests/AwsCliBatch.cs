using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Several AWS CLI commands one after another in one Python process (tests/clients/aws_cli_batch.py: the CLI's own
/// driver, a new one for each command), for runs of commands with nothing else between them: a CLI start (Python and
/// the CLI's imports) costs about 0.7 s of CPU, paid here once.
/// </summary>
internal static class AwsCliBatch
{
    /// <summary>
    /// Runs `aws COMMAND --endpoint-url ENDPOINT` for each of <paramref name="commands"/> (each starting with the
    /// service: "lambda", "logs"), in <paramref name="environment"/> (<see cref="Repository.AwsEnvironment"/> when
    /// null); each one's exit code and output, whatever they are, in order.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)[]> RunAsync(string endpoint, string[][] commands, Dictionary<string, string>? environment = null)
    {
        string batch = JsonSerializer.Serialize(commands.Select(c => (string[])[.. c, "--endpoint-url", endpoint]));
        var run = await Repository.RunAsync("python3", [Repository.Path("tests", "clients", "aws_cli_batch.py"), batch], environment ?? Repository.AwsEnvironment(new Uri(endpoint)));
        Assert.True(run.ExitCode == 0, run.Stderr);
        (int, string, string)[] results = [.. JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("exitCode").GetInt32(), r.GetProperty("stdout").GetString()!, r.GetProperty("stderr").GetString()!))];
        Assert.Equal(commands.Length, results.Length);
        return results;
    }
}
