using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Lambda.Tests;

/// <summary>
/// What deploy tools read and write beside a function and a mapping (Terraform's aws provider reads a function's code
/// signing configuration on every refresh, and a mapping's tags through its ARN): the code signing operations, and
/// tags on event source mappings, kept across a restart. Over HTTP, with Lambda's shapes and errors.
/// </summary>
public sealed class DeployToolReadsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("handshake-deploy-reads-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_functions_code_signing_configuration_is_none_and_none_can_be_attached()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        server.AddRecorder("fn");
        using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };

        // None attached: {} (no CodeSigningConfigArn), by name or ARN; a missing function is not found.
        Assert.Equal("{}", await SendAsync(http, HttpMethod.Get, "/2020-06-30/functions/fn/code-signing-config", null, HttpStatusCode.OK));
        Assert.Equal("{}", await SendAsync(http, HttpMethod.Get, "/2020-06-30/functions/arn:aws:lambda:us-east-1:000000000000:function:fn/code-signing-config", null, HttpStatusCode.OK));
        string missing = await SendAsync(http, HttpMethod.Get, "/2020-06-30/functions/nope/code-signing-config", null, HttpStatusCode.NotFound);
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", JsonDocument.Parse(missing).RootElement.GetProperty("message").GetString());

        // There are no code signing configurations to attach: Lambda's not-found error for the one named.
        const string csc = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdefg";
        string put = await SendAsync(http, HttpMethod.Put, "/2020-06-30/functions/fn/code-signing-config", $$"""{"CodeSigningConfigArn":"{{csc}}"}""", HttpStatusCode.NotFound);
        Assert.Equal($"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {csc}.",
            JsonDocument.Parse(put).RootElement.GetProperty("message").GetString());
        string noArn = await SendAsync(http, HttpMethod.Put, "/2020-06-30/functions/fn/code-signing-config", "{}", HttpStatusCode.BadRequest);
        Assert.Contains("Value null at 'codeSigningConfigArn'", noArn, StringComparison.Ordinal);

        // Removing none is done; for a missing function it is not found.
        Assert.Equal("", await SendAsync(http, HttpMethod.Delete, "/2020-06-30/functions/fn/code-signing-config", null, HttpStatusCode.NoContent));
        await SendAsync(http, HttpMethod.Delete, "/2020-06-30/functions/nope/code-signing-config", null, HttpStatusCode.NotFound);
        Assert.Equal("{}", await SendAsync(http, HttpMethod.Get, "/2020-06-30/functions/fn/code-signing-config", null, HttpStatusCode.OK));
    }

    [Fact]
    public async Task An_event_source_mappings_tags_are_given_at_create_changed_through_its_ARN_and_kept_across_a_restart()
    {
        string arn;
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            string streamArn = await first.CreateTableAsync("orders");
            first.AddRecorder("recorder");
            first.Host.ResumeSavedWork();
            using HttpClient http = new() { BaseAddress = first.Endpoint, Timeout = TestHost.Wait };
            string uuid = await EventSourceMappingRequests.CreateAsync(first, "recorder", streamArn,
                new JsonObject { ["Enabled"] = false, ["Tags"] = new JsonObject { ["team"] = "a", ["stage"] = "one" } });
            arn = $"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}";
            Assert.Equal("""{"Tags":{"team":"a","stage":"one"}}""", await SendAsync(http, HttpMethod.Get, $"/2017-03-31/tags/{arn}", null, HttpStatusCode.OK));

            await SendAsync(http, HttpMethod.Post, $"/2017-03-31/tags/{arn}", """{"Tags":{"stage":"two","owner":"b"}}""", HttpStatusCode.NoContent);
            await SendAsync(http, HttpMethod.Delete, $"/2017-03-31/tags/{arn}?tagKeys=team&tagKeys=absent", null, HttpStatusCode.NoContent);
            Assert.Equal("""{"Tags":{"stage":"two","owner":"b"}}""", await SendAsync(http, HttpMethod.Get, $"/2017-03-31/tags/{arn}", null, HttpStatusCode.OK));

            // More than 50 together is refused, and changes nothing.
            JsonObject many = [];
            for (int i = 0; i < 49; i++)
            {
                many[$"k{i}"] = "v";
            }

            string tooMany = await SendAsync(http, HttpMethod.Post, $"/2017-03-31/tags/{arn}", new JsonObject { ["Tags"] = many }.ToJsonString(), HttpStatusCode.BadRequest);
            Assert.Contains("Number of tags exceeds resource tag limit.", tooMany, StringComparison.Ordinal);
            Assert.Equal("""{"Tags":{"stage":"two","owner":"b"}}""", await SendAsync(http, HttpMethod.Get, $"/2017-03-31/tags/{arn}", null, HttpStatusCode.OK));

            // A mapping that does not exist, or in another region, is not found; a malformed one breaks the model's pattern.
            string unknown = await SendAsync(http, HttpMethod.Get, "/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:event-source-mapping:00000000-0000-0000-0000-000000000000", null, HttpStatusCode.NotFound);
            Assert.Equal("The resource you requested does not exist.", JsonDocument.Parse(unknown).RootElement.GetProperty("message").GetString());
            await SendAsync(http, HttpMethod.Get, $"/2017-03-31/tags/{arn.Replace("us-east-1", "eu-west-1", StringComparison.Ordinal)}", null, HttpStatusCode.NotFound);
            string malformed = await SendAsync(http, HttpMethod.Get, "/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:event-source-mapping:not-a-uuid", null, HttpStatusCode.BadRequest);
            Assert.Contains("failed to satisfy constraint: Member must satisfy regular expression pattern", malformed, StringComparison.Ordinal);
        }

        await using (StreamServer second = await StreamServer.StartAsync(_data))
        {
            using HttpClient http = new() { BaseAddress = second.Endpoint, Timeout = TestHost.Wait };
            Assert.Equal("""{"Tags":{"stage":"two","owner":"b"}}""", await SendAsync(http, HttpMethod.Get, $"/2017-03-31/tags/{arn}", null, HttpStatusCode.OK));

            // A deleted mapping's tags go with it: tagging it is not found, and does not bring it back.
            string uuid = arn[(arn.LastIndexOf(':') + 1)..];
            await SendAsync(http, HttpMethod.Delete, $"/2015-03-31/event-source-mappings/{uuid}", null, HttpStatusCode.Accepted);
            await StreamServer.WaitUntilAsync(() => second.Host.EventSourceMappings.TryGet(uuid, out _), exists => !exists);
            await SendAsync(http, HttpMethod.Post, $"/2017-03-31/tags/{arn}", """{"Tags":{"late":"x"}}""", HttpStatusCode.NotFound);
        }

        await using StreamServer third = await StreamServer.StartAsync(_data);
        Assert.Empty(third.Host.EventSourceMappings.List());
    }

    private static async Task<string> SendAsync(HttpClient http, HttpMethod method, string path, string? body, HttpStatusCode expected)
    {
        using HttpRequestMessage request = new(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }
}
