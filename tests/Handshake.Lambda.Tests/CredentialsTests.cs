using System.Text;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// An environment's access key is known to the host before its process starts: a fast function's first store request
/// can arrive before the launcher returns, and must still be attributed to its environment (and pass --auth strict).
/// One CI run showed the function's connection "outside the host" because the key was registered after the launch.
/// </summary>
public sealed class CredentialsTests
{
    [Fact]
    public async Task The_access_key_resolves_while_the_process_is_being_started_and_is_withdrawn_if_it_never_starts()
    {
        ProbingLauncher launcher = new();
        await using FunctionHost host = new(new FunctionHostOptions(), loggerFactory: null, launcher);
        launcher.Host = host;
        host.CreateFunction(new FunctionDefinition
        {
            Name = "probe",
            Runtime = "provided.al2023",
            Handler = "function.handler",
            CodeDirectory = TestHost.FunctionDirectory("bash-runtime"),
        });

        InvocationResult result = await host.InvokeAsync("probe", new Invocation(Guid.NewGuid().ToString(), "{}"u8.ToArray()))
            .WaitAsync(TestHost.Wait);

        // The launcher refused (as a missing executable would), after looking the key up from inside Start.
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Contains("Runtime.InvalidEntrypoint", Encoding.UTF8.GetString(result.Payload.Span), StringComparison.Ordinal);
        // Two launches: the failed init is retried once within the invocation (a suppressed init), in the same
        // environment reset: its credentials are kept.
        Assert.Equal(2, launcher.AccessKeyIds.Count);
        Assert.Single(launcher.AccessKeyIds.Distinct());
        Assert.Equal([("probe", true), ("probe", true)], launcher.SeenDuringStart);
        foreach (string accessKeyId in launcher.AccessKeyIds)
        {
            Assert.False(host.TryGetEnvironment(accessKeyId, out _));
            Assert.False(host.TryGetCredentials(accessKeyId, out _, out _));
        }
    }

    /// <summary>Looks the environment's key up where a child process would first use it, then fails the launch.</summary>
    private sealed class ProbingLauncher : IProcessLauncher
    {
        public FunctionHost? Host { get; set; }

        public List<string> AccessKeyIds { get; } = [];

        public List<(string Function, bool Credentials)> SeenDuringStart { get; } = [];

        public IChildProcess Start(ProcessLaunchSpec spec)
        {
            string key = spec.Environment["AWS_ACCESS_KEY_ID"];
            AccessKeyIds.Add(key);
            if (Host!.TryGetEnvironment(key, out ExecutionEnvironmentIdentity id))
            {
                SeenDuringStart.Add((id.FunctionName, Host.TryGetCredentials(key, out _, out _)));
            }

            throw new InvalidOperationException("no such executable (test launcher)");
        }
    }
}
