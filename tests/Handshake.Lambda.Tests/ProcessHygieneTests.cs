using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Runtimes that misuse their process: output without newlines, closed stdout/stderr, SIGTERM ignored, an exit right
/// after init, a bootstrap that is not executable. Each gets an answer, and no process outlives the host.
/// </summary>
public sealed class ProcessHygieneTests
{
    [Fact]
    public async Task Output_without_newlines_is_cut_into_bounded_log_events()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { LogEventsPerFunction = 1000 });
        test.AddBash("flood");

        InvocationResult result = await test.InvokeAsync("flood", """{"flood":true}""");

        Assert.Null(result.FunctionError);
        List<string> log = await test.LogMessagesAsync("flood");
        Assert.Contains("flooded 3 MB", log);
        List<string> pieces = log.FindAll(m => m.StartsWith('y'));
        Assert.NotEmpty(pieces);
        Assert.All(pieces, m => Assert.True(m.Length <= 256 * 1024, $"a log event of {m.Length} characters"));
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task A_runtime_that_closes_stdout_and_stderr_is_still_answered_and_logged()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("mute", environment: new() { ["INIT_MODE"] = "close-output" });

        Assert.Equal("""{"n":1}""", TestHost.Text(await test.InvokeAsync("mute", """{"n":1}""")));
        Assert.Equal("""{"n":2}""", TestHost.Text(await test.InvokeAsync("mute", """{"n":2}""")));

        List<string> log = await test.LogMessagesAsync("mute");
        Assert.Equal(2, log.Count(m => m.StartsWith("REPORT RequestId", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_runtime_that_ignores_SIGTERM_is_killed_on_delete_and_on_shutdown()
    {
        TestHost test = TestHost.Start();
        await using (test)
        {
            test.AddBash("stubborn", environment: new() { ["INIT_MODE"] = "ignore-term" });
            test.AddBash("deleted", environment: new() { ["INIT_MODE"] = "ignore-term" });
            Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("stubborn", "{}")));
            Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("deleted", "{}")));
            List<int> before = ProcessTable.WithMarker(test.Marker);

            test.Host.DeleteFunction("deleted");
            // SIGTERM does nothing; SIGKILL after the grace period ends the runtime and its child (bounded: 10 s).
            int left = before.Count;
            for (int i = 0; i < 200 && left > before.Count - 2; i++)
            {
                await Task.Delay(50);
                left = ProcessTable.WithMarker(test.Marker).Count;
            }

            Assert.True(left <= before.Count - 2, $"{before.Count} processes before the delete, {left} after");
        }

        // DisposeAsync asserted that no process with the test's marker is left, the runtime and its child included.
        Assert.Empty(await ProcessTable.RemainingWithMarkerAsync(test.Marker));
    }

    [Fact]
    public async Task A_runtime_that_exits_0_after_init_answers_Runtime_ExitError_every_time()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("quitter", environment: new() { ["INIT_MODE"] = "exit-after-init" });

        for (int i = 0; i < 2; i++)
        {
            JsonElement error = TestHost.Json(await test.InvokeAsync("quitter", "{}"));
            Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        }

        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task A_bootstrap_zipped_without_its_executable_bit_is_Lambdas_permission_denied_entrypoint()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        using MemoryStream buffer = new();
        using (ZipArchive zip = new(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            // No mode in the entry, as Windows' zip tools write it.
            using Stream stream = zip.CreateEntry("bootstrap").Open();
            stream.Write(File.ReadAllBytes(Path.Combine(TestHost.FunctionDirectory("bash-runtime"), "bootstrap")));
        }

        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", new StringContent(JsonSerializer.Serialize(new
        {
            FunctionName = "noexec",
            Runtime = "provided.al2023",
            Role = "arn:aws:iam::000000000000:role/lambda",
            Handler = "h",
            Code = new { ZipFile = Convert.ToBase64String(buffer.ToArray()) },
        }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/noexec/invocations", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal("Unhandled", invoked.Headers.GetValues("X-Amz-Function-Error").Single());
        JsonElement error = JsonDocument.Parse(await invoked.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Runtime.InvalidEntrypoint", error.GetProperty("errorType").GetString());
        Assert.Matches(@"^RequestId: \S+ Error: fork/exec \S+/bootstrap: permission denied$", error.GetProperty("errorMessage").GetString());
    }
}
