using System.Diagnostics;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// `handshake up --port 0` in a directory whose handshake.json declares the bash sample twice (bash and zeta),
/// with the given arguments (`--in-memory`, or none to keep its data in DIRECTORY/.handshake); started again on an
/// earlier one's directory after <see cref="StopAsync"/>.
/// </summary>
internal sealed class UpProcess : IAsyncDisposable
{
    /// <summary>The `handshake` executable built beside these tests (Release or Debug, as they were built).</summary>
    public static string Executable => Path.Combine(Repository.Root, "src", "Handshake", "bin",
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug", "net10.0", "handshake");

    /// <summary>
    /// Starts `up --port 0 --in-memory` as a bare process in a new project directory whose handshake.json declares the
    /// bash runtime as `bash`, every process of it carrying HANDSHAKE_TEST_MARKER=<paramref name="marker"/> (for tests
    /// that kill `up` themselves and then look for what it left).
    /// </summary>
    public static async Task<(Process Up, string Directory)> StartMarkedAsync(string prefix, string marker)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        string code = TestHost.FunctionDirectory("bash-runtime");
        await File.WriteAllTextAsync(Path.Combine(directory, "handshake.json"), $$"""
            { "functions": { "bash": { "runtime": "provided", "code": "{{code}}", "environment": { "HANDSHAKE_TEST_MARKER": "{{marker}}" } } } }
            """);
        ProcessStartInfo info = new(Executable, ["up", "--port", "0", "--in-memory"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return (Process.Start(info)!, directory);
    }

    private readonly Process _process;
    private bool _keepDirectory;

    private UpProcess(Process process, string directory, string endpoint)
    {
        _process = process;
        Directory = directory;
        Endpoint = endpoint;
    }

    public string Directory { get; }

    public string Endpoint { get; }

    public static async Task<UpProcess> StartAsync(string[] arguments, string? directory = null)
    {
        if (directory is null)
        {
            directory = System.IO.Directory.CreateTempSubdirectory("handshake-up-").FullName;
            string code = TestHost.FunctionDirectory("bash-runtime");
            await File.WriteAllTextAsync(Path.Combine(directory, "handshake.json"), $$"""
                { "functions": {
                    "bash": { "runtime": "provided", "code": "{{code}}" },
                    "zeta": { "runtime": "provided", "code": "{{code}}" } } }
                """);
        }

        ProcessStartInfo info = new(Executable, ["up", "--port", "0", .. arguments])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(info)!;
        try
        {
            return new UpProcess(process, directory, await UpBanner.ReadEndpointAsync(process).WaitAsync(TestHost.Wait));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// tests/clients/SCRIPT ENDPOINT ARGUMENTS, a boto3 script that prints its observations as JSON on its last line:
    /// it must succeed, and model_audit.py must have found nothing wrong in any answer ("modelViolations").
    /// </summary>
    public async Task<JsonElement> RunBoto3Async(string script, params string[] arguments)
    {
        var run = await Repository.RunAsync("python3", [Repository.Path("tests", "clients", script), Endpoint, .. arguments],
            Repository.AwsEnvironment(new Uri(Endpoint)));
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        JsonElement observations = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Empty(observations.GetProperty("modelViolations").EnumerateArray().Select(v => v.GetString()));
        return observations;
    }

    /// <summary>`aws logs ARGUMENTS` against this `up`, which must succeed: its standard output.</summary>
    public async Task<string> AwsLogsAsync(params string[] arguments)
    {
        var run = await AwsCli.RunAsync(["logs", .. arguments, "--endpoint-url", Endpoint], Repository.AwsEnvironment(new Uri(Endpoint)));
        Assert.True(run.ExitCode == 0, $"aws logs {string.Join(' ', arguments)}: {run.Stderr}");
        return run.Stdout;
    }

    /// <summary>`aws logs ARGUMENTS` against this `up`, which must fail: its standard error, trimmed.</summary>
    public async Task<string> AwsLogsFailsAsync(params string[] arguments)
    {
        var run = await AwsCli.RunAsync(["logs", .. arguments, "--endpoint-url", Endpoint], Repository.AwsEnvironment(new Uri(Endpoint)));
        Assert.NotEqual(0, run.ExitCode);
        return run.Stderr.Trim();
    }

    /// <summary>SIGTERM: `up` shuts down cleanly. The directory is kept for the next start.</summary>
    public async Task<string> StopAsync()
    {
        var signalled = await Repository.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(signalled.ExitCode == 0, signalled.Stderr);
        await _process.WaitForExitAsync().WaitAsync(TestHost.Wait);
        _keepDirectory = true;
        return Directory;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TestHost.Wait);
        }

        _process.Dispose();
        if (!_keepDirectory)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
