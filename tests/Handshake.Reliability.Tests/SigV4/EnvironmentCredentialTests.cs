using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Handshake.Composition;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// Under strict auth, a function environment's own credentials (key, secret and session token, as Lambda issues them)
/// sign its store calls and its Lambda API calls; once the environment is gone they stop working for both.
/// </summary>
public sealed class EnvironmentCredentialTests : IDisposable
{
    // A custom runtime (bash + curl, AWS's documented one) whose handler calls the store with boto3 and the environment's
    // credentials, and answers with the table list and the credentials it used.
    private const string Bootstrap = """
        #!/bin/bash
        set -uo pipefail
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        while true; do
          ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" | grep -Fi Lambda-Runtime-Aws-Request-Id | tr -d '[:space:]' | cut -d: -f2)
          [ -n "$ID" ] || exit 1
          RESULT=$(python3 -c '
        import json, os, boto3, botocore.exceptions
        c = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
        try:
            outcome = "tables:" + ",".join(c.list_tables()["TableNames"])
        except botocore.exceptions.ClientError as e:
            outcome = "error:" + e.response["Error"]["Code"]
        print(json.dumps({"outcome": outcome, "key": os.environ["AWS_ACCESS_KEY_ID"], "secret": os.environ["AWS_SECRET_ACCESS_KEY"], "token": os.environ["AWS_SESSION_TOKEN"]}))
        ' 2>&1)
          curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "$RESULT"
        done

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-strict-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AnEnvironmentsCredentialsWorkWhileItLivesAndStopWhenItIsGone()
    {
        string code = Path.Combine(_directory, "signer");
        Directory.CreateDirectory(code);
        string bootstrap = Path.Combine(code, "bootstrap");
        File.WriteAllText(bootstrap, Bootstrap.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string project = Path.Combine(_directory, "handshake.json");
        File.WriteAllText(project, """{ "functions": { "signer": { "runtime": "provided.al2023", "code": "signer", "timeout": 20 } } }""");

        HandshakeServerOptions strict = StrictServer.Options();
        await using RunningServer server = await RunningServer.StartAsync(new HandshakeServerOptions
        {
            InMemory = true,
            DataDirectory = _directory,
            ProjectFile = project,
            Auth = strict.Auth,
            Credentials = strict.Credentials,
        });
        await server.CreateTableAsync("visible");

        using HttpClient http = new() { Timeout = Timeouts.Default };
        using HttpRequestMessage invoke = TestSigner.Request(HttpMethod.Post, server.Server.Endpoint, "/2015-03-31/functions/signer/invocations", "{}",
            StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        using HttpResponseMessage invoked = await http.SendAsync(invoke).WaitAsync(Timeouts.Default);
        string answer = await invoked.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
        using JsonDocument document = JsonDocument.Parse(answer);
        JsonElement root = document.RootElement;
        Assert.Equal("tables:visible", root.GetProperty("outcome").GetString());
        SessionAWSCredentials credentials = new(root.GetProperty("key").GetString(), root.GetProperty("secret").GetString(), root.GetProperty("token").GetString());
        AmazonDynamoDBConfig config = new() { ServiceURL = server.Server.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 };

        // The same credentials from outside work while the environment lives; a wrong session token does not.
        using (AmazonDynamoDBClient alive = new(credentials, config))
        {
            Assert.Equal(["visible"], (await alive.ListTablesAsync().WaitAsync(Timeouts.Default)).TableNames);
        }

        using (AmazonDynamoDBClient badToken = new(new SessionAWSCredentials(credentials.GetCredentials().AccessKey, credentials.GetCredentials().SecretKey, "forged"), config))
        {
            AmazonDynamoDBException forged = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => badToken.ListTablesAsync().WaitAsync(Timeouts.Default));
            Assert.Equal("UnrecognizedClientException", forged.ErrorCode);
            Assert.Equal("The security token included in the request is invalid.", forged.Message);
        }

        // The key without its token: DynamoDB's text for this case has no final period.
        using (AmazonDynamoDBClient noToken = new(new BasicAWSCredentials(credentials.GetCredentials().AccessKey, credentials.GetCredentials().SecretKey), config))
        {
            AmazonDynamoDBException missing = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => noToken.ListTablesAsync().WaitAsync(Timeouts.Default));
            Assert.Equal(("UnrecognizedClientException", "The security token included in the request is invalid"), (missing.ErrorCode, missing.Message));
        }

        // They sign Lambda API calls too while the environment lives.
        ImmutableCredentials keys = credentials.GetCredentials();
        Assert.Equal(200, await ListFunctionsStatusAsync(http, server, keys));

        using HttpRequestMessage delete = TestSigner.Request(HttpMethod.Delete, server.Server.Endpoint, "/2015-03-31/functions/signer", null,
            StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        using HttpResponseMessage deleted = await http.SendAsync(delete).WaitAsync(Timeouts.Default);
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        Assert.Equal(403, await ListFunctionsStatusAsync(http, server, keys));

        using AmazonDynamoDBClient gone = new(credentials, config);
        AmazonDynamoDBException refused = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => gone.ListTablesAsync().WaitAsync(Timeouts.Default));
        Assert.Equal("UnrecognizedClientException", refused.ErrorCode);
        Assert.Equal("The security token included in the request is invalid.", refused.Message);
    }

    private static async Task<int> ListFunctionsStatusAsync(HttpClient http, RunningServer server, ImmutableCredentials keys)
    {
        using HttpRequestMessage list = TestSigner.Request(HttpMethod.Get, server.Server.Endpoint, "/2015-03-31/functions/", null, keys.AccessKey, keys.SecretKey, sessionToken: keys.Token);
        using HttpResponseMessage listed = await http.SendAsync(list).WaitAsync(Timeouts.Default);
        if ((int)listed.StatusCode == 403)
        {
            // Lambda's shape for a key nobody knows (any more).
            Assert.Equal("UnrecognizedClientException", listed.Headers.GetValues("x-amzn-ErrorType").Single());
            Assert.Equal("{\"message\":\"The security token included in the request is invalid.\"}", await listed.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default));
        }

        return (int)listed.StatusCode;
    }
}
