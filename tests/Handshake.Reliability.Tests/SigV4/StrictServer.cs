using System.Text.Json;
using Handshake.Composition;
using Handshake.Network.SigV4;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>A composed server under <c>--auth strict</c> with one configured key, and raw replays against it.</summary>
internal static class StrictServer
{
    public const string AccessKeyId = "AKIDSTRICTTEST";
    public const string SecretAccessKey = "strict/Secret+Key";

    public static HandshakeServerOptions Options(TimeProvider? clock = null) => new()
    {
        InMemory = true,
        Auth = AuthMode.Strict,
        Credentials = new Dictionary<string, string> { [AccessKeyId] = SecretAccessKey },
        Clock = clock ?? TimeProvider.System,
    };

    /// <summary>
    /// A composed server (strict, or <c>--auth off</c>) whose handshake.json in <paramref name="directory"/> declares one
    /// Node function, <c>echo</c>, with this handler source.
    /// </summary>
    public static Task<RunningServer> StartWithEchoFunctionAsync(string directory, string handlerSource, bool strict)
    {
        string code = Path.Combine(directory, "echo");
        Directory.CreateDirectory(code);
        File.WriteAllText(Path.Combine(code, "index.js"), handlerSource);
        string project = Path.Combine(directory, "handshake.json");
        File.WriteAllText(project, """{ "functions": { "echo": { "runtime": "nodejs20.x", "handler": "index.handler", "code": "echo", "timeout": 20 } } }""");
        HandshakeServerOptions options = Options();
        return RunningServer.StartAsync(new HandshakeServerOptions
        {
            InMemory = true,
            DataDirectory = directory,
            ProjectFile = project,
            Auth = strict ? options.Auth : AuthMode.Off,
            Credentials = options.Credentials,
        });
    }

    public sealed record Answer(int Status, string? Type, string? Message);

    /// <summary>The AWS CLI's environment for the configured key: one attempt, no pager.</summary>
    public static Dictionary<string, string> CliEnvironment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_MAX_ATTEMPTS"] = "1",
        ["AWS_PAGER"] = "",
    };

    /// <summary>Sends a captured request again, with headers rewritten (null drops one) and optionally another body.</summary>
    public static async Task<Answer> ReplayAsync(HttpClient http, CapturedRequest captured, Func<string, string, string?>? rewrite = null, byte[]? body = null)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, captured.Uri);
        request.Content = new ByteArrayContent(body ?? captured.Body);
        foreach ((string name, string value) in captured.Headers)
        {
            string? sent = rewrite is null ? value : rewrite(name, value);
            if (sent is null) continue;
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, sent);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, sent);
            }
        }

        using HttpResponseMessage response = await http.SendAsync(request).WaitAsync(Timeouts.Default);
        string text = await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
        if ((int)response.StatusCode == 200) return new((int)response.StatusCode, null, null);
        using JsonDocument document = JsonDocument.Parse(text);
        string type = document.RootElement.GetProperty("__type").GetString()!;
        string? message = document.RootElement.TryGetProperty("message", out JsonElement m) ? m.GetString() : null;
        return new((int)response.StatusCode, type[(type.IndexOf('#') + 1)..], message);
    }
}
