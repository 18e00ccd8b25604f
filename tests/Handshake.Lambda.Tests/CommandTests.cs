using System.Diagnostics;

namespace Handshake.Lambda.Tests;

/// <summary>
/// `handshake invoke` and `handshake logs` against a real `handshake up`, and the host killed with SIGKILL: its
/// function processes must not outlive it.
/// </summary>
public sealed partial class CommandTests
{
    private static string Executable => UpProcess.Executable;

    [Fact]
    public async Task Invoke_and_logs_talk_to_a_running_endpoint_and_SIGKILL_of_the_host_leaves_no_function_process()
    {
        string marker = Guid.NewGuid().ToString("N");
        (Process started, string directory) = await UpProcess.StartMarkedAsync("handshake-verbs-", marker);
        using Process up = started;
        try
        {
            string endpoint = await UpBanner.ReadEndpointAsync(up).WaitAsync(TestHost.Wait);

            var invoked = await Repository.RunAsync(Executable, ["invoke", "bash", "--payload", """{"verb":"invoke"}""", "--endpoint", endpoint]);
            Assert.True(invoked.ExitCode == 0, invoked.Stderr);
            Assert.Equal("""{"verb":"invoke"}""", invoked.Stdout.Trim());

            var failed = await Repository.RunAsync(Executable, ["invoke", "bash", "--payload", """{"fail":1}""", "--tail", "--endpoint", endpoint]);
            Assert.Equal(1, failed.ExitCode);
            Assert.Contains("failed on purpose", failed.Stdout);
            Assert.Contains("REPORT RequestId", failed.Stderr);

            var missing = await Repository.RunAsync(Executable, ["invoke", "nope", "--endpoint", endpoint]);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("ResourceNotFoundException", missing.Stderr);
            // One line with the error's type and message, not Lambda's JSON body quoted.
            Assert.Matches(@"^handshake: ResourceNotFoundException: Function not found: arn:aws:lambda:[a-z0-9-]+:\d{12}:function:nope\n$", missing.Stderr);
            var missingLogs = await Repository.RunAsync(Executable, ["logs", "nope", "--endpoint", endpoint]);
            Assert.Equal(1, missingLogs.ExitCode);
            Assert.Matches(@"^handshake: ResourceNotFoundException: Function not found: arn:aws:lambda:[a-z0-9-]+:\d{12}:function:nope\n$", missingLogs.Stderr);

            var logs = await Repository.RunAsync(Executable, ["logs", "bash", "--endpoint", endpoint]);
            Assert.True(logs.ExitCode == 0, logs.Stderr);
            Assert.Equal(2, logs.Stdout.Split('\n').Count(l => l.Contains(" START RequestId: ", StringComparison.Ordinal)));
            Assert.Contains("handling ", logs.Stdout);

            // What invoke takes, logs takes too: the function's ARN, or a qualified name, reads the function's log.
            foreach (string named in (string[])["arn:aws:lambda:us-east-1:000000000000:function:bash", "bash:$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:bash:live"])
            {
                var same = await Repository.RunAsync(Executable, ["logs", named, "--endpoint", endpoint]);
                Assert.True(same.ExitCode == 0, same.Stderr);
                Assert.Equal(2, same.Stdout.Split('\n').Count(l => l.Contains(" START RequestId: ", StringComparison.Ordinal)));
            }

            // NAME:QUALIFIER reaches the Invoke API as Lambda's path does: $LATEST runs, an unknown version is not found.
            var latest = await Repository.RunAsync(Executable, ["invoke", "bash:$LATEST", "--payload", """{"qualified":1}""", "--endpoint", endpoint]);
            Assert.True(latest.ExitCode == 0, latest.Stderr);
            Assert.Equal("""{"qualified":1}""", latest.Stdout.Trim());
            var unknown = await Repository.RunAsync(Executable, ["invoke", "bash:7", "--endpoint", endpoint]);
            Assert.Equal(1, unknown.ExitCode);
            Assert.Matches(@"Function not found: arn:aws:lambda:[a-z0-9-]+:\d{12}:function:bash:7", unknown.Stderr);

            // The host dies without any chance to clean up: the orphan guard must take its functions with it.
            Assert.NotEmpty(ProcessTable.WithMarker(marker));
            up.Kill();
            await up.WaitForExitAsync().WaitAsync(TestHost.Wait);
            Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(marker));
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill();
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
