using System.Reflection;
using System.Text;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// A program that embeds HandshakeServer, or the store alone (DynamoServer), keeps its signals. Their WebApplications
/// used to register the generic host's ConsoleLifetime, whose SIGINT and SIGTERM handlers cancel every signal of the
/// process: the embedder's own handler ran, but a signal it let through did not end the process (nor stop the
/// server). The embedder
/// (Embedder/Program.cs) cancels the first of each signal and lets the second through; signals go to that child
/// process, never to the test process.
/// </summary>
public sealed class EmbeddedSignalTests : IDisposable
{
    private static readonly string Configuration =
        typeof(EmbeddedSignalTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-embedded-").FullName;

    [Theory]
    [InlineData("handshake", "SIGTERM", 143)]
    [InlineData("handshake", "SIGINT", 130)]
    [InlineData("store", "SIGTERM", 143)]
    [InlineData("store", "SIGINT", 130)]
    public async Task The_embedder_decides_what_a_signal_does_and_the_server_serves_through_a_cancelled_one(string server, string signal, int killedStatus)
    {
        using HandshakeProcess embedder = HandshakeProcess.StartProgram(_directory, EmbedderDll(), [], server == "store" ? ["store"] : []);
        string serving = (await embedder.ReadUntilAsync("serving "))[^1];
        using HttpClient http = new() { BaseAddress = new Uri(serving["serving ".Length..]), Timeout = HandshakeProcess.Timeout };
        Assert.Equal(0, await TableCountAsync(http));

        // Cancelled by the embedder's handler: the process and its server go on.
        Send(embedder, signal);
        await embedder.ReadUntilAsync($"{signal} cancelled");
        Assert.Equal(0, await TableCountAsync(http));
        Assert.False(embedder.HasExited);

        // Let through: the runtime's default ends the process, as it would without the server (it used to be cancelled
        // behind the embedder's back, and the process ran on).
        Send(embedder, signal);
        await embedder.ReadUntilAsync($"{signal} let through");
        Assert.Equal(killedStatus, await embedder.WaitForExitAsync());
    }

    private static void Send(HandshakeProcess process, string signal)
    {
        if (signal == "SIGTERM")
        {
            process.Terminate();
        }
        else
        {
            process.Interrupt();
        }
    }

    // ListTables over raw HTTP: the store answers, and says how many tables it has (none, in memory).
    private static async Task<int> TableCountAsync(HttpClient http)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, "/")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=embedder/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        using HttpResponseMessage response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using System.Text.Json.JsonDocument document = System.Text.Json.JsonDocument.Parse(body);
        return document.RootElement.GetProperty("TableNames").GetArrayLength();
    }

    // Built through the test project's reference to it (ReferenceOutputAssembly false), in its own bin.
    private static string EmbedderDll()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Handshake.EndToEnd.Tests", "Embedder", "bin", Configuration, "net10.0", "Embedder.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Embedder.dll ({Configuration}) not found above {AppContext.BaseDirectory}: build the test project");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
