namespace Handshake.Lambda.Tests;

/// <summary>Several AWS CLI commands against one endpoint, one after another (<see cref="AwsCli"/>).</summary>
internal static class AwsCliBatch
{
    /// <summary>
    /// Runs `aws COMMAND --endpoint-url ENDPOINT` for each of <paramref name="commands"/> (each starting with the
    /// service: "lambda", "logs"), in <paramref name="environment"/> (<see cref="Repository.AwsEnvironment"/> when
    /// null); each one's exit code and output, whatever they are, in order.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)[]> RunAsync(string endpoint, string[][] commands, Dictionary<string, string>? environment = null)
    {
        environment ??= Repository.AwsEnvironment(new Uri(endpoint));
        var results = new (int ExitCode, string Stdout, string Stderr)[commands.Length];
        for (int i = 0; i < commands.Length; i++)
        {
            results[i] = await AwsCli.RunAsync([.. commands[i], "--endpoint-url", endpoint], environment);
        }

        return results;
    }
}
