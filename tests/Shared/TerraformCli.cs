using System.Diagnostics;

namespace Handshake.Tests.Shared;

/// <summary>
/// Terraform (1.11, /usr/local/bin/terraform) with the AWS provider 5.100.0 that this machine's image ships in
/// /opt/tf-plugins, run in a project directory for the tests that deploy to `handshake up` with it: no call home for a
/// version check (only 127.0.0.1 is reached), no prompts, no CLI configuration, and nothing from the machine's AWS
/// setup. One source file, linked into the test projects that use it (tests/Shared).
/// </summary>
internal static class TerraformCli
{
    public const string Executable = "/usr/local/bin/terraform";
    public const string PluginDirectory = "/opt/tf-plugins";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// The `terraform` and `provider "aws"` blocks of a configuration for `handshake up` at <paramref name="endpoint"/>:
    /// the pinned provider, dummy credentials, no STS or metadata calls, and each of <paramref name="services"/>
    /// (dynamodb, lambda, logs) pointed at the endpoint.
    /// </summary>
    public static string Provider(string endpoint, params string[] services) => $$"""
        terraform {
          required_providers {
            aws = { source = "hashicorp/aws", version = "5.100.0" }
          }
        }
        provider "aws" {
          region                      = "us-east-1"
          access_key                  = "AKIDTERRAFORM"
          secret_key                  = "terraform"
          skip_credentials_validation = true
          skip_metadata_api_check     = true
          skip_requesting_account_id  = true
          endpoints {
        {{string.Concat(services.Select(service => $"    {service} = \"{endpoint}\"\n"))}}  }
        }

        """;

    /// <summary>Fails the test with what is missing, rather than with a process that could not start.</summary>
    public static void AssertInstalled() =>
        Assert.True(File.Exists(Executable) && Directory.Exists(PluginDirectory),
            $"{Executable} and the AWS provider in {PluginDirectory} come with this machine's image");

    /// <summary>`terraform init` from the image's provider directory: nothing is fetched.</summary>
    public static Task InitAsync(string project) => RunAsync(project, "init", "-plugin-dir=" + PluginDirectory);

    /// <summary>Runs a command that must succeed; returns what it printed.</summary>
    public static async Task<(string Stdout, string Stderr)> RunAsync(string project, params string[] arguments)
    {
        (int exitCode, string stdout, string stderr) = await RunCommandAsync(project, arguments);
        Assert.True(exitCode == 0, $"terraform {string.Join(' ', arguments)} exited {exitCode}:\n{stdout}\n{stderr}");
        return (stdout, stderr);
    }

    /// <summary>`terraform plan -detailed-exitcode` must find nothing to change: every attribute reads back as written.</summary>
    public static async Task AssertNoChangesAsync(string project)
    {
        // 0 for no changes, 2 for a plan with changes.
        (int exitCode, string stdout, string stderr) = await RunCommandAsync(project, "plan", "-detailed-exitcode");
        Assert.True(exitCode == 0, $"terraform plan found changes after apply (exit {exitCode}):\n{stdout}\n{stderr}");
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCommandAsync(string project, params string[] arguments)
    {
        ProcessStartInfo start = new(Executable)
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments[0] != "output")
        {
            start.ArgumentList.Add("-input=false");
        }

        start.ArgumentList.Add("-no-color");
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["TF_CLI_CONFIG_FILE"] = "/dev/null";
        // The AWS provider builds the schemas of every AWS service at each start, three or four times per command, and
        // its garbage collector was about a third of that CPU (`terraform plan` here: 14.8 s of CPU, 10.2 s with
        // GOGC=400). The tests run beside others on two cores, so CPU is their time; memory is not short.
        start.Environment["GOGC"] = "400";
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
