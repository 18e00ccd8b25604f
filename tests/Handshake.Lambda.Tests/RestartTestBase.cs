using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// What the restart tests share (RestartTests, RestartCodeTests: two classes, so that xUnit runs them side by side): a
/// data directory of their own, zips beside it, and the AWS CLI against a server.
/// </summary>
public abstract class RestartTestBase : IDisposable
{
    protected const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:kept";

    protected string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "handshake-restart-" + Guid.NewGuid().ToString("N")[..12]);

    protected string Moved => DataDirectory + "-moved";

    protected FunctionHostOptions Options => new() { DataDirectory = DataDirectory };

    protected string WriteZip(byte[] zip)
    {
        Directory.CreateDirectory(DataDirectory + "-zips");
        string path = Path.Combine(DataDirectory + "-zips", Guid.NewGuid().ToString("N")[..8] + ".zip");
        File.WriteAllBytes(path, zip);
        return path;
    }

    /// <summary>The directory FunctionCode.InstallZip unpacks a package into: its SHA-256's first 16 hex digits.</summary>
    protected static string CodeName(string zip) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(zip)))[..16];

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        foreach (string directory in (string[])[DataDirectory, DataDirectory + "-zips", Moved])
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The AWS CLI against one server. <paramref name="retries"/> false: one attempt per command (AWS_MAX_ATTEMPTS=1),
    /// for the tests whose answers are ServiceException (500), which the CLI otherwise sends four more times, sleeping
    /// up to 1, 2, 4 and 8 seconds between them (about 8 s a command); every attempt would be refused the same way.
    /// </summary>
    private protected sealed class Cli(LambdaServer server, bool retries = true)
    {
        private readonly Dictionary<string, string> _environment = retries
            ? Repository.AwsEnvironment(server.Endpoint)
            : new(Repository.AwsEnvironment(server.Endpoint)) { ["AWS_MAX_ATTEMPTS"] = "1" };

        public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
            AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", server.Endpoint.ToString()], _environment);

        public async Task<string> OkAsync(params string[] args)
        {
            var result = await RunAsync(args);
            Assert.True(result.ExitCode == 0, $"aws lambda {string.Join(' ', args)}: {result.Stderr}");
            return result.Stdout;
        }

        /// <summary>
        /// `aws lambda COMMAND` for each of <paramref name="commands"/>, one after another in one CLI process
        /// (<see cref="AwsCliBatch"/>), each of which must succeed; their outputs. Only where the test's point is not
        /// the CLI, and only for runs of commands with nothing else between them.
        /// </summary>
        public async Task<string[]> OkBatchAsync(params string[][] commands)
        {
            var results = await AwsCliBatch.RunAsync(server.Endpoint.ToString(), [.. commands.Select(c => (string[])["lambda", .. c])], _environment);
            for (int i = 0; i < commands.Length; i++)
            {
                Assert.True(results[i].ExitCode == 0, $"aws lambda {string.Join(' ', commands[i])}: {results[i].Stderr}");
            }

            return [.. results.Select(r => r.Stdout)];
        }

        public async Task<JsonElement> CreateAsync(string zip, string marker, string name = "kept") =>
            JsonDocument.Parse(await OkAsync("create-function", "--function-name", name, "--runtime", "provided.al2023", "--handler", "function.handler",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip,
                "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={marker},COLOR=red}}")).RootElement.Clone();

        /// <summary>The function's environment, as the bash runtime answers {"environment":1}.</summary>
        public async Task<JsonElement> InvokeAsync(string name, string? qualifier = null)
        {
            string output = Path.Combine(Path.GetTempPath(), $"handshake-restart-{Guid.NewGuid():N}.json");
            try
            {
                await OkAsync(["invoke", "--function-name", name, .. qualifier is null ? (string[])[] : ["--qualifier", qualifier], "--payload", """{"environment":1}""", output]);
                return JsonDocument.Parse(File.ReadAllText(output, Encoding.UTF8)).RootElement.Clone();
            }
            finally
            {
                File.Delete(output);
            }
        }
    }
}
