using System.Text.Json;
using Handshake.Composition;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// Under <c>--auth strict</c> the Lambda API (Invoke and the control plane) is verified like the store, and refused
/// the way Lambda refuses: 403, x-amzn-ErrorType and {"message":...}. Signed by @aws-sdk/client-lambda, boto3 and the CLI;
/// requests the SDK signed and a middleware then altered (body, a signed header, the date) are refused.
/// </summary>
public sealed class LambdaStrictAuthTests : IDisposable
{
    // Each case prints one line: OK <answer>, or ERR <error name> <HTTP status> <message>. The tampering middleware runs
    // in the deserialize step, after the request was signed, and changes the request that goes on the wire.
    private const string NodeV3 = """
        const { LambdaClient, InvokeCommand, ListFunctionsCommand } = require('@aws-sdk/client-lambda');
        const [endpoint, key, secret] = process.argv.slice(1);
        function client(accessKeyId, secretAccessKey, tamper) {
          const c = new LambdaClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
          if (tamper) c.middlewareStack.add((next) => async (args) => { tamper(args.request); return next(args); }, { step: 'deserialize', name: 'tamper' });
          return c;
        }
        const invoke = (c) => c.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'RequestResponse', Payload: Buffer.from('{"n":1}') }))
          .then((r) => Buffer.from(r.Payload).toString());
        const twentyMinutesAgo = new Date(Date.now() - 20 * 60 * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
        const cases = [
          ['invoke', () => invoke(client(key, secret))],
          ['list', () => client(key, secret).send(new ListFunctionsCommand({})).then((r) => r.Functions.map((f) => f.FunctionName).join(','))],
          ['wrong-secret', () => invoke(client(key, 'wrong-secret'))],
          ['unknown-key', () => invoke(client('AKIDNOBODYISSUED', secret))],
          ['tampered-body', () => invoke(client(key, secret, (r) => { r.body = Buffer.from('{"n":2}'); }))],
          ['tampered-header', () => invoke(client(key, secret, (r) => { r.headers['x-amz-invocation-type'] = 'DryRun'; }))],
          ['old-date', () => invoke(client(key, secret, (r) => { r.headers['x-amz-date'] = twentyMinutesAgo; }))],
        ];
        (async () => {
          for (const [name, run] of cases) {
            try { console.log(name + ' OK ' + await run()); }
            catch (e) { console.log(name + ' ERR ' + e.name + ' ' + (e.$metadata && e.$metadata.httpStatusCode) + ' ' + e.message); }
          }
        })();
        """;

    private const string Boto3 = """
        import sys, boto3, botocore.config, botocore.exceptions
        endpoint, key, secret = sys.argv[1:4]
        for name, s in (('good', secret), ('wrong-secret', 'wrong-secret')):
            c = boto3.client('lambda', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=s,
                             config=botocore.config.Config(retries={'max_attempts': 1, 'mode': 'standard'}))
            try:
                print(name + ' OK ' + c.invoke(FunctionName='echo', Payload=b'{"n":1}')['Payload'].read().decode())
            except botocore.exceptions.ClientError as e:
                print(name + ' ERR ' + e.response['Error']['Code'] + ' ' + str(e.response['ResponseMetadata']['HTTPStatusCode']) + ' ' + e.response['Error']['Message'])
        """;

    private const string SignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-strict-lambda-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<RunningServer> StartAsync(bool strict = true) =>
        StrictServer.StartWithEchoFunctionAsync(_directory, "exports.handler = async (event) => event;\n", strict);

    private static Dictionary<string, string> Lines(ChildProcess.Result result)
    {
        Dictionary<string, string> lines = [];
        foreach (string line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int space = line.IndexOf(' ');
            lines[line[..space]] = line[(space + 1)..];
        }

        return lines;
    }

    [Fact]
    public async Task TheJavaScriptSdkSignsCorrectlyAndAlteredRequestsAreRefused()
    {
        await using RunningServer server = await StartAsync();
        string clients = Path.Combine(ChildProcess.RepositoryRoot(), "tests", "clients");
        Assert.True(Directory.Exists(Path.Combine(clients, "node_modules", "@aws-sdk", "client-lambda")), $"run `npm ci` in {clients} (scripts/test.sh does it)");
        ChildProcess.Result result = await ChildProcess.RunAsync("node",
            ["-e", NodeV3, server.Server.Endpoint.GetLeftPart(UriPartial.Authority), StrictServer.AccessKeyId, StrictServer.SecretAccessKey],
            new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(clients, "node_modules") }, clients);
        Dictionary<string, string> lines = Lines(result);
        string all = result.StandardOutput + result.StandardError;

        Assert.True(lines.GetValueOrDefault("invoke") == "OK {\"n\":1}", all);
        Assert.True(lines.GetValueOrDefault("list") == "OK echo", all);
        Assert.True(lines.GetValueOrDefault("wrong-secret") == $"ERR InvalidSignatureException 403 {SignatureMismatch}", all);
        Assert.True(lines.GetValueOrDefault("unknown-key") == "ERR UnrecognizedClientException 403 The security token included in the request is invalid.", all);
        Assert.True(lines.GetValueOrDefault("tampered-body") == $"ERR InvalidSignatureException 403 {SignatureMismatch}", all);
        Assert.True(lines.GetValueOrDefault("tampered-header") == $"ERR InvalidSignatureException 403 {SignatureMismatch}", all);
        Assert.True(lines.GetValueOrDefault("old-date")?.StartsWith("ERR InvalidSignatureException 403 Signature expired: ", StringComparison.Ordinal) == true, all);
    }

    [Fact]
    public async Task Boto3SignsCorrectlyAndAWrongSecretIsRefused()
    {
        await using RunningServer server = await StartAsync();
        ChildProcess.Result result = await ChildProcess.RunAsync("python3",
            ["-c", Boto3, server.Server.Endpoint.GetLeftPart(UriPartial.Authority), StrictServer.AccessKeyId, StrictServer.SecretAccessKey]);
        Dictionary<string, string> lines = Lines(result);
        string all = result.StandardOutput + result.StandardError;

        Assert.True(lines.GetValueOrDefault("good") == "OK {\"n\":1}", all);
        Assert.True(lines.GetValueOrDefault("wrong-secret") == $"ERR InvalidSignatureException 403 {SignatureMismatch}", all);
    }

    [Fact]
    public async Task TheAwsCliSignsCorrectlyAndAWrongSecretIsRefused()
    {
        await using RunningServer server = await StartAsync();
        string output = Path.Combine(_directory, "answer.json");
        Dictionary<string, string> environment = StrictServer.CliEnvironment();
        string[] invoke = ["lambda", "invoke", "--endpoint-url", server.Server.Endpoint.GetLeftPart(UriPartial.Authority), "--function-name", "echo",
            "--payload", "{\"n\":1}", output];

        ChildProcess.Result good = await ChildProcess.RunAsync("aws", invoke, environment);
        Assert.True(good.ExitCode == 0, good.StandardError);
        Assert.Equal("{\"n\":1}", File.ReadAllText(output));

        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret";
        ChildProcess.Result bad = await ChildProcess.RunAsync("aws", invoke, environment);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("(InvalidSignatureException)", bad.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnsignedRequestGetsLambdasMissingAuthenticationTokenAndIsNotExecuted()
    {
        await using RunningServer server = await StartAsync();

        using HttpResponseMessage deleted = await server.Http.DeleteAsync("/2015-03-31/functions/echo").WaitAsync(Timeouts.Default);
        Assert.Equal(403, (int)deleted.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", deleted.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("{\"message\":\"Missing Authentication Token\"}", await deleted.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default));

        // Still there: the refused DeleteFunction did not run.
        using HttpRequestMessage get = TestSigner.Request(HttpMethod.Get, server.Server.Endpoint, "/2015-03-31/functions/echo", null, StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        using HttpResponseMessage found = await server.Http.SendAsync(get).WaitAsync(Timeouts.Default);
        Assert.Equal(200, (int)found.StatusCode);
        using JsonDocument function = JsonDocument.Parse(await found.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default));
        Assert.Equal("echo", function.RootElement.GetProperty("Configuration").GetProperty("FunctionName").GetString());
    }

    [Fact]
    public async Task AStoreScopedSignatureDoesNotOpenTheLambdaApi()
    {
        await using RunningServer server = await StartAsync();
        using HttpRequestMessage request = TestSigner.Request(HttpMethod.Get, server.Server.Endpoint, "/2015-03-31/functions/", null,
            StrictServer.AccessKeyId, StrictServer.SecretAccessKey, service: "dynamodb");
        using HttpResponseMessage response = await server.Http.SendAsync(request).WaitAsync(Timeouts.Default);

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal("InvalidSignatureException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default));
        Assert.Equal("Credential should be scoped to correct service: 'lambda'.", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task WithAuthOffTheLambdaApiTakesUnsignedRequestsAsBefore()
    {
        await using RunningServer server = await StartAsync(strict: false);
        using HttpResponseMessage listed = await server.Http.GetAsync("/2015-03-31/functions/").WaitAsync(Timeouts.Default);

        Assert.Equal(200, (int)listed.StatusCode);
    }
}
