using System.Diagnostics;

namespace Handshake.Lambda.Tests;

/// <summary>The repository checkout the tests run from, and child-process oracles (AWS CLI, Node SDK).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Runs a command to completion (bounded), returning its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> arguments, Dictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        ProcessStartInfo info = new(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Root,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Variables for AWS clients pointed at a local endpoint with dummy credentials.</summary>
    public static Dictionary<string, string> AwsEnvironment(Uri endpoint) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDLOCAL",
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL"] = endpoint.ToString().TrimEnd('/'),
        ["AWS_PAGER"] = "",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["NODE_PATH"] = Path("tests", "clients", "node_modules"),
    };

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Handshake.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("not run from a Handshake checkout");
    }
}
