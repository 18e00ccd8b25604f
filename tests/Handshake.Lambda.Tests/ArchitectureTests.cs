using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Architectures and EphemeralStorage, as the AWS CLI sets and reads them: recorded, answered, published with a version
/// and kept across a restart, and checked against the model's constraints. The host runs every function natively.
/// </summary>
public sealed class ArchitectureTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "handshake-arch-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Architectures_and_ephemeral_storage_are_answered_as_given_published_and_kept_across_a_restart()
    {
        string zip = Path.Combine(Path.GetTempPath(), $"handshake-arch-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
        string marker = Guid.NewGuid().ToString("N");
        try
        {
            await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _dataDirectory }, marker: marker))
            {
                // They were not read: CreateFunction with ["arm64"] and Size=2048 answered ["x86_64"] and 512.
                JsonElement created = await CliAsync(server, "create-function", "--function-name", "arm", "--runtime", "provided.al2023",
                    "--handler", "function.handler", "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip,
                    "--architectures", "arm64", "--ephemeral-storage", "Size=2048", "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={marker}}}");
                AssertSettings(created, "arm64", 2048);
                AssertSettings(await CliAsync(server, "get-function-configuration", "--function-name", "arm"), "arm64", 2048);
                AssertSettings((await CliAsync(server, "get-function", "--function-name", "arm")).GetProperty("Configuration"), "arm64", 2048);

                // UpdateFunctionConfiguration changes the storage and keeps the architecture; UpdateFunctionCode
                // changes the architecture and keeps the storage.
                AssertSettings(await CliAsync(server, "update-function-configuration", "--function-name", "arm", "--ephemeral-storage", "Size=4096"), "arm64", 4096);
                AssertSettings(await CliAsync(server, "publish-version", "--function-name", "arm"), "arm64", 4096);
                AssertSettings(await CliAsync(server, "update-function-code", "--function-name", "arm", "--zip-file", "fileb://" + zip,
                    "--architectures", "x86_64"), "x86_64", 4096);
                AssertSettings(await CliAsync(server, "update-function-code", "--function-name", "arm", "--zip-file", "fileb://" + zip), "x86_64", 4096);

                // The model's constraints (AWS's request validation) and the type of the member.
                using HttpClient http = server.Client();
                foreach ((string body, string message) in ((string, string)[])[
                    ("""{"Architectures":["x86_64","arm64"]}""", "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"),
                    ("""{"Architectures":[]}""", "1 validation error detected: Value '[]' at 'architectures' failed to satisfy constraint: Member must have length greater than or equal to 1"),
                    ("""{"Architectures":["sparc"]}""", "1 validation error detected: Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]"),
                ])
                {
                    HttpResponseMessage refused = await http.PutAsync("/2015-03-31/functions/arm/code", new StringContent(body, Encoding.UTF8, "application/json"));
                    Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                    Assert.Equal("ValidationException", refused.Headers.GetValues("x-amzn-ErrorType").Single());
                    Assert.Equal(message, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
                }

                HttpResponseMessage small = await http.PutAsync("/2015-03-31/functions/arm/configuration", new StringContent("""{"EphemeralStorage":{"Size":100}}""", Encoding.UTF8, "application/json"));
                Assert.Equal("ValidationException", small.Headers.GetValues("x-amzn-ErrorType").Single());
                Assert.Equal("1 validation error detected: Value '100' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512",
                    JsonDocument.Parse(await small.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
                HttpResponseMessage notList = await http.PostAsync("/2015-03-31/functions", new StringContent(
                    """{"FunctionName":"other","Runtime":"provided.al2023","Role":"r","Handler":"h","Architectures":"arm64","Code":{"ZipFile":""}}""", Encoding.UTF8, "application/json"));
                Assert.Equal("InvalidRequestContentException", notList.Headers.GetValues("x-amzn-ErrorType").Single());
                AssertSettings(await CliAsync(server, "get-function-configuration", "--function-name", "arm"), "x86_64", 4096);

                // The function runs (natively) whatever it says.
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/2015-03-31/functions/arm/invocations", new StringContent("{}"))).StatusCode);
            }

            await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _dataDirectory }, marker: marker))
            {
                AssertSettings(await CliAsync(server, "get-function-configuration", "--function-name", "arm"), "x86_64", 4096);
                AssertSettings(await CliAsync(server, "get-function-configuration", "--function-name", "arm", "--qualifier", "1"), "arm64", 4096);
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private static void AssertSettings(JsonElement configuration, string architecture, int ephemeralStorage)
    {
        Assert.Equal(architecture, Assert.Single(configuration.GetProperty("Architectures").EnumerateArray()).GetString());
        Assert.Equal(ephemeralStorage, configuration.GetProperty("EphemeralStorage").GetProperty("Size").GetInt32());
    }

    private static async Task<JsonElement> CliAsync(LambdaServer server, params string[] args)
    {
        var result = await AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", server.Endpoint.ToString()], Repository.AwsEnvironment(server.Endpoint));
        Assert.True(result.ExitCode == 0, $"aws lambda {string.Join(' ', args)}: {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
