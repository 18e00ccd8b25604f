using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Lambda.Tests;

/// <summary>The event source mapping tests' requests to the control plane, over HTTP, and what they read of a mapping.</summary>
internal static class EventSourceMappingRequests
{
    public static string State(StreamServer server, string uuid) =>
        server.Host.EventSourceMappings.TryGet(uuid, out EventSources.EventSourceMappingView view) ? view.State : "(gone)";

    public static string Result(StreamServer server, string uuid) =>
        server.Host.EventSourceMappings.TryGet(uuid, out EventSources.EventSourceMappingView view) ? view.LastProcessingResult : "(gone)";

    public static async Task<string> CreateAsync(StreamServer server, string function, string streamArn, JsonObject members, string startingPosition = "TRIM_HORIZON")
    {
        members["FunctionName"] = function;
        members["EventSourceArn"] = streamArn;
        members["StartingPosition"] = startingPosition;
        JsonElement created = await SendAsync(server, HttpMethod.Post, "/2015-03-31/event-source-mappings/", members, HttpStatusCode.Accepted);
        // On the wire, a timestamp of Lambda's REST-JSON protocol: epoch seconds, a number.
        Assert.Equal(JsonValueKind.Number, created.GetProperty("LastModified").ValueKind);
        return created.GetProperty("UUID").GetString()!;
    }

    public static Task<JsonElement> UpdateAsync(StreamServer server, string uuid, JsonObject members) =>
        SendAsync(server, HttpMethod.Put, $"/2015-03-31/event-source-mappings/{uuid}", members, HttpStatusCode.Accepted);

    public static async Task<JsonElement> SendAsync(StreamServer server, HttpMethod method, string path, JsonObject body, HttpStatusCode expected)
    {
        using HttpClient client = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
        using HttpRequestMessage request = new(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
