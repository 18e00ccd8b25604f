using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The AWS CLI's `aws logs` against a test host, and readers of its JSON answers: shared by the CloudWatch log tests that
/// use the CLI as their oracle.
/// </summary>
internal static class AwsLogsCli
{
    /// <summary>Runs `aws logs ARGUMENTS` against the host; its exit code and output, whatever they are.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(LambdaServer server, params string[] arguments) =>
        AwsCli.RunAsync(["logs", .. arguments, "--endpoint-url", server.Endpoint.ToString()], Repository.AwsEnvironment(server.Endpoint));

    /// <summary>
    /// Runs several `aws logs` commands one after another in one CLI process (<see cref="AwsCliBatch"/>); each one's
    /// exit code and output, whatever they are, in order.
    /// </summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)[]> RunBatchAsync(string endpoint, params string[][] commands) =>
        AwsCliBatch.RunAsync(endpoint, [.. commands.Select(c => (string[])["logs", .. c])]);

    /// <summary><see cref="RunBatchAsync"/> of commands which must all succeed; their outputs.</summary>
    public static async Task<string[]> BatchAsync(string endpoint, params string[][] commands)
    {
        var results = await RunBatchAsync(endpoint, commands);
        for (int i = 0; i < commands.Length; i++)
        {
            Assert.True(results[i].ExitCode == 0, $"aws logs {string.Join(' ', commands[i])}: {results[i].Stderr}");
        }

        return [.. results.Select(r => r.Stdout)];
    }

    /// <summary><see cref="BatchAsync(string, string[][])"/> against a test server.</summary>
    public static Task<string[]> BatchAsync(LambdaServer server, params string[][] commands) => BatchAsync(server.Endpoint.ToString(), commands);

    /// <summary>Runs `aws logs ARGUMENTS`, which must succeed; its output.</summary>
    public static async Task<string> Async(LambdaServer server, params string[] arguments)
    {
        var run = await RunAsync(server, arguments);
        Assert.True(run.ExitCode == 0, $"aws logs {string.Join(' ', arguments)}: {run.Stderr}");
        return run.Stdout;
    }

    /// <summary>The CLI must fail with CloudWatch's ResourceNotFoundException for a log stream.</summary>
    public static async Task AssertStreamMissingAsync(LambdaServer server, string operation, params string[] arguments)
    {
        var run = await RunAsync(server, arguments);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"An error occurred (ResourceNotFoundException) when calling the {operation} operation: The specified log stream does not exist.", run.Stderr);
    }

    /// <summary>The messages of a GetLogEvents or FilterLogEvents answer.</summary>
    public static string[] Messages(string answer) =>
        [.. JsonDocument.Parse(answer).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];

    /// <summary>The one stream a DescribeLogStreams answer lists.</summary>
    public static JsonElement SingleStream(string answer) =>
        Assert.Single(JsonDocument.Parse(answer).RootElement.GetProperty("logStreams").EnumerateArray()).Clone();

    /// <summary>A line the host writes for each invocation: START, END or REPORT.</summary>
    public static bool IsLambdaLine(string message) =>
        message.StartsWith("START RequestId: ", StringComparison.Ordinal) || message.StartsWith("END RequestId: ", StringComparison.Ordinal)
        || message.StartsWith("REPORT RequestId: ", StringComparison.Ordinal);
}
