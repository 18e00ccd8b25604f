using System.Text.Json;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>
/// The README's Node.js function example (the <c>```js</c> block under "A Node.js function") run as a newcomer would
/// copy it: each of its three handlers (async, callback style, ES module) is written to a code directory of its own,
/// read from the README at test time, and run by runtimes/node/bootstrap.js against the fake Runtime API. An edit to the
/// example, or to the bootstrap, that makes one of them stop answering as the example says fails here.
/// </summary>
public sealed class ReadmeNodeExampleTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string CallbackMarker = "// or callback style:";
    private const string EsmMarker = "// or an ES module (index.mjs):";

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-readme-node-").FullName;

    [Fact]
    public async Task The_async_handler_answers_its_request_id_and_the_time_left()
    {
        string code = Write("async", "index.js", ReadmeExample().Async);
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "index.handler", code);

        var outcome = await api.InvokeAsync("""{"a":1}""", DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds()).WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal(36, json.RootElement.GetProperty("id").GetString()!.Length);
        Assert.InRange(json.RootElement.GetProperty("left").GetInt64(), 1, 60_000);
    }

    [Fact]
    public async Task The_callback_style_handler_answers_ok()
    {
        string code = Write("callback", "index.js", ReadmeExample().Callback);
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "index.handler", code);

        var outcome = await api.InvokeAsync("{}").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"ok":true}""", outcome.Body);
    }

    [Fact]
    public async Task The_es_module_handler_echoes_its_event()
    {
        string code = Write("esm", "index.mjs", ReadmeExample().Esm);
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, "index.handler", code);

        var outcome = await api.InvokeAsync("""{"x":"y"}""").WaitAsync(Timeout);

        Assert.False(outcome.IsError, function.Output);
        Assert.Equal("""{"x":"y"}""", outcome.Body);
    }

    private string Write(string name, string file, string source)
    {
        string code = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        File.WriteAllText(Path.Combine(code, file), source + "\n");
        return code;
    }

    /// <summary>
    /// The example's three handlers: the line that defines <c>exports.handler</c> uncommented, and the code after the
    /// "callback style" and "ES module" comments.
    /// </summary>
    private static (string Async, string Callback, string Esm) ReadmeExample()
    {
        string[] readme = File.ReadAllLines(Path.Combine(Functions.RepositoryRoot, "README.md"));
        int start = Array.FindIndex(readme, line => line.TrimEnd() == "```js");
        Assert.True(start >= 0, "README.md has no ```js block (the Node.js function example)");
        List<string> block = [.. readme.Skip(start + 1).TakeWhile(line => !line.StartsWith("```", StringComparison.Ordinal))];

        string async = Assert.Single(block, line => line.StartsWith("exports.handler", StringComparison.Ordinal));
        string callback = Assert.Single(block, line => line.StartsWith(CallbackMarker, StringComparison.Ordinal))[CallbackMarker.Length..].Trim();
        string esm = Assert.Single(block, line => line.StartsWith(EsmMarker, StringComparison.Ordinal))[EsmMarker.Length..].Trim();
        return (async, callback, esm);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
