[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// A custom-runtime function (bash and curl, AWS's documented custom runtime) that calls the store twice per
/// invocation in one curl command, so on one new connection, signed with its environment's access key. Its
/// connection counts are known exactly: one per invocation. Written to a temporary project directory with a
/// handshake.json that declares it.
/// </summary>
internal sealed class StoreCallerFunction : IDisposable
{
    public const string Name = "store-caller";

    private const string Bootstrap = """
        #!/bin/bash
        set -uo pipefail
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        AUTH="Authorization: AWS4-HMAC-SHA256 Credential=${AWS_ACCESS_KEY_ID}/20260101/${AWS_REGION:-us-east-1}/dynamodb/aws4_request, SignedHeaders=host, Signature=00"
        EVENT=$(mktemp)
        trap 'rm -f "$EVENT"' EXIT
        while true; do
          ID=$(curl -sS -D - -o "$EVENT" "$API/invocation/next" | grep -Fi Lambda-Runtime-Aws-Request-Id | tr -d '[:space:]' | cut -d: -f2)
          [ -n "$ID" ] || exit 1
          curl -sS -o /dev/null -o /dev/null -X POST -H "$AUTH" -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
            -H 'Content-Type: application/x-amz-json-1.0' -d '{}' "$AWS_ENDPOINT_URL_DYNAMODB/" "$AWS_ENDPOINT_URL_DYNAMODB/"
          # {"crash":true}: the runtime exits after its store call, mid-invocation (Runtime.ExitError, a reset).
          if grep -q '"crash"' "$EVENT"; then exit 7; fi
          curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{"ok":true}'
        done

        """;

    public StoreCallerFunction()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("handshake-e2e-project-").FullName;
        string code = Path.Combine(Directory, "store-caller");
        System.IO.Directory.CreateDirectory(code);
        string bootstrap = Path.Combine(code, "bootstrap");
        File.WriteAllText(bootstrap, Bootstrap.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ProjectFile = Path.Combine(Directory, "handshake.json");
        File.WriteAllText(ProjectFile, """{ "functions": { "store-caller": { "runtime": "provided.al2023", "code": "store-caller", "timeout": 10 } } }""");
    }

    public string Directory { get; }

    public string ProjectFile { get; }

    /// <summary>Invokes synchronously with the Tail log; returns the decoded log tail.</summary>
    public static async Task<string> InvokeAsync(HttpClient client, Uri endpoint, bool crash = false)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(endpoint, $"/2015-03-31/functions/{Name}/invocations"));
        request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
        request.Content = new StringContent(crash ? """{"crash":true}""" : "{}");
        using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(HandshakeProcess.Timeout);
        string body = await response.Content.ReadAsStringAsync().WaitAsync(HandshakeProcess.Timeout);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        if (crash)
        {
            Assert.Contains("Runtime.ExitError", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("""{"ok":true}""", body);
        }

        string tail = response.Headers.TryGetValues("X-Amz-Log-Result", out IEnumerable<string>? values) ? values.Single() : "";
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(tail));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
