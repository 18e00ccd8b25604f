using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A function's TracingConfig and LoggingConfig are kept and answered as given (deploy tools compare them with what
/// they sent: Terraform planned a change on every run while they were answered PassThrough and Text), with Lambda's
/// defaults and checks, in published versions, and across a restart. Over HTTP.
/// </summary>
public sealed class TracingAndLoggingConfigTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("handshake-logging-config-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Tracing_and_logging_are_kept_replaced_whole_checked_published_and_restored()
    {
        string zip = Convert.ToBase64String(FunctionZip.BashRuntime());
        string marker = Guid.NewGuid().ToString("N");
        await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _data }, marker: marker))
        {
            using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
            JsonElement created = await SendAsync(http, HttpMethod.Post, "/2015-03-31/functions", $$"""
                {"FunctionName":"fn","Runtime":"provided.al2023","Role":"arn:aws:iam::000000000000:role/r","Handler":"h",
                 "Code":{"ZipFile":"{{zip}}"},"Environment":{"Variables":{"HANDSHAKE_TEST_MARKER":"{{marker}}" } },
                 "TracingConfig":{"Mode":"Active"},"LoggingConfig":{"LogFormat":"JSON","SystemLogLevel":"WARN"} }
                """, HttpStatusCode.Created);
            Assert.Equal("""{"Mode":"Active"}""", created.GetProperty("TracingConfig").GetRawText());
            // JSON without an application level takes INFO; the group is Lambda's default.
            Assert.Equal("""{"LogFormat":"JSON","ApplicationLogLevel":"INFO","SystemLogLevel":"WARN","LogGroup":"/aws/lambda/fn"}""",
                created.GetProperty("LoggingConfig").GetRawText());

            // A LoggingConfig replaces the whole configuration: Text drops the levels; a group of its own is kept.
            JsonElement text = await SendAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"LoggingConfig":{"LogGroup":"/custom/group"}}""", HttpStatusCode.OK);
            Assert.Equal("""{"LogFormat":"Text","LogGroup":"/custom/group"}""", text.GetProperty("LoggingConfig").GetRawText());
            Assert.Equal("Active", text.GetProperty("TracingConfig").GetProperty("Mode").GetString()); // untouched when absent

            // Levels with Text, and values outside the model, are refused, changing nothing.
            string refused = await SendRawAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"LoggingConfig":{"LogFormat":"Text","ApplicationLogLevel":"DEBUG"}}""", HttpStatusCode.BadRequest);
            Assert.Equal("""LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.""",
                JsonDocument.Parse(refused).RootElement.GetProperty("message").GetString());
            string badMode = await SendRawAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"TracingConfig":{"Mode":"On"}}""", HttpStatusCode.BadRequest);
            Assert.Contains("Value 'On' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]", badMode, StringComparison.Ordinal);
            string badLevel = await SendRawAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"LoggingConfig":{"LogFormat":"JSON","SystemLogLevel":"ERROR"}}""", HttpStatusCode.BadRequest);
            Assert.Contains("at 'loggingConfig.systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]", badLevel, StringComparison.Ordinal);
            string badGroup = await SendRawAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"LoggingConfig":{"LogGroup":"has space"}}""", HttpStatusCode.BadRequest);
            Assert.Contains("at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern", badGroup, StringComparison.Ordinal);
            JsonElement unchanged = await SendAsync(http, HttpMethod.Get, "/2015-03-31/functions/fn/configuration", null, HttpStatusCode.OK);
            Assert.Equal("""{"LogFormat":"Text","LogGroup":"/custom/group"}""", unchanged.GetProperty("LoggingConfig").GetRawText());

            await SendAsync(http, HttpMethod.Put, "/2015-03-31/functions/fn/configuration",
                """{"TracingConfig":{"Mode":"PassThrough"},"LoggingConfig":{"LogFormat":"JSON","ApplicationLogLevel":"DEBUG"}}""", HttpStatusCode.OK);
            JsonElement published = await SendAsync(http, HttpMethod.Post, "/2015-03-31/functions/fn/versions", "{}", HttpStatusCode.Created);
            Assert.Equal("""{"LogFormat":"JSON","ApplicationLogLevel":"DEBUG","SystemLogLevel":"INFO","LogGroup":"/aws/lambda/fn"}""",
                published.GetProperty("LoggingConfig").GetRawText());
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _data }, marker: marker))
        {
            using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
            foreach (string qualifier in (string[])["$LATEST", "1"])
            {
                JsonElement restored = await SendAsync(http, HttpMethod.Get, $"/2015-03-31/functions/fn/configuration?Qualifier={Uri.EscapeDataString(qualifier)}", null, HttpStatusCode.OK);
                Assert.Equal("""{"Mode":"PassThrough"}""", restored.GetProperty("TracingConfig").GetRawText());
                Assert.Equal("""{"LogFormat":"JSON","ApplicationLogLevel":"DEBUG","SystemLogLevel":"INFO","LogGroup":"/aws/lambda/fn"}""",
                    restored.GetProperty("LoggingConfig").GetRawText());
            }
        }
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string? body, HttpStatusCode expected) =>
        JsonDocument.Parse(await SendRawAsync(http, method, path, body, expected)).RootElement.Clone();

    private static async Task<string> SendRawAsync(HttpClient http, HttpMethod method, string path, string? body, HttpStatusCode expected)
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
