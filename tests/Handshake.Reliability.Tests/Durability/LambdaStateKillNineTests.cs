using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Bench.Reliability;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.Durability;

/// <summary>
/// The Lambda control plane under kill -9: a real `handshake up` on a data directory acknowledges CreateFunction,
/// PublishVersion and CreateAlias and is SIGKILLed at once; the next `up` on the directory has all three, answers the
/// same configuration, and runs the function.
/// </summary>
public sealed class LambdaStateKillNineTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-lambda-kill9-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AnAcknowledgedCreateFunctionSurvivesKillNine()
    {
        string handshake = Path.Combine(AppContext.BaseDirectory, "handshake.dll");
        string configuration;
        string version;
        using (Process first = HandshakeUp.Start(handshake, _directory))
        {
            try
            {
                using HttpClient http = await ClientAsync(first);
                HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", Json(new
                {
                    FunctionName = "survivor",
                    Runtime = "nodejs20.x",
                    Handler = "index.handler",
                    Role = "arn:aws:iam::000000000000:role/lambda",
                    Code = new { ZipFile = Convert.ToBase64String(NodeZip("exports.handler = async (event) => ({ echoed: event, from: 'survivor' });\n")) },
                    Tags = new Dictionary<string, string> { ["kept"] = "yes" },
                })).WaitAsync(Timeouts.Default);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                HttpResponseMessage published = await http.PostAsync("/2015-03-31/functions/survivor/versions", Json(new { })).WaitAsync(Timeouts.Default);
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
                HttpResponseMessage aliased = await http.PostAsync("/2015-03-31/functions/survivor/aliases", Json(new { Name = "live", FunctionVersion = "1" })).WaitAsync(Timeouts.Default);
                Assert.Equal(HttpStatusCode.Created, aliased.StatusCode);
                configuration = await http.GetStringAsync("/2015-03-31/functions/survivor/configuration").WaitAsync(Timeouts.Default);
                version = await http.GetStringAsync("/2015-03-31/functions/survivor/configuration?Qualifier=1").WaitAsync(Timeouts.Default);
            }
            finally
            {
                // SIGKILL at once after the answers: no shutdown code runs.
                first.Kill();
                await first.WaitForExitAsync().WaitAsync(Timeouts.Default);
            }
        }

        using Process second = HandshakeUp.Start(handshake, _directory);
        try
        {
            using HttpClient http = await ClientAsync(second);
            Assert.Equal(configuration, await http.GetStringAsync("/2015-03-31/functions/survivor/configuration").WaitAsync(Timeouts.Default));
            Assert.Equal(version, await http.GetStringAsync("/2015-03-31/functions/survivor/configuration?Qualifier=1").WaitAsync(Timeouts.Default));
            using JsonDocument alias = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/survivor/aliases/live").WaitAsync(Timeouts.Default));
            Assert.Equal("1", alias.RootElement.GetProperty("FunctionVersion").GetString());
            using JsonDocument tags = JsonDocument.Parse(await http.GetStringAsync("/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:function:survivor").WaitAsync(Timeouts.Default));
            Assert.Equal("yes", tags.RootElement.GetProperty("Tags").GetProperty("kept").GetString());

            HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/survivor/invocations?Qualifier=live", new StringContent("""{"n":1}""")).WaitAsync(Timeouts.Default);
            string answer = await invoked.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
            Assert.True(invoked.StatusCode == HttpStatusCode.OK, answer);
            Assert.Equal("""{"echoed":{"n":1},"from":"survivor"}""", answer);
        }
        finally
        {
            // The function's environment is a child of `up`: the whole tree goes.
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }
    }

    private static async Task<HttpClient> ClientAsync(Process server)
    {
        Uri endpoint = await HandshakeUp.WaitUntilUpAsync(server, CancellationToken.None);
        return new HttpClient { BaseAddress = endpoint, Timeout = Timeouts.Default };
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static byte[] NodeZip(string source)
    {
        using MemoryStream buffer = new();
        using (ZipArchive zip = new(buffer, ZipArchiveMode.Create, leaveOpen: true))
        using (StreamWriter writer = new(zip.CreateEntry("index.js").Open()))
        {
            writer.Write(source);
        }

        return buffer.ToArray();
    }
}
