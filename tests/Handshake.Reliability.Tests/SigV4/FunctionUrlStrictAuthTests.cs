using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Composition;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// Function URLs on the composed endpoint under <c>--auth strict</c>: an AWS_IAM URL takes only a request SigV4-signed
/// for service lambda by a known key (403 Forbidden otherwise, as AWS answers), a NONE URL takes any request; and a
/// URL's <c>POST /</c> is never taken for the store's, on the store's event loop (which serves only under
/// <c>--auth off</c>) or on Kestrel.
/// </summary>
public sealed class FunctionUrlStrictAuthTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-strict-url-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<RunningServer> StartAsync(bool strict = true) =>
        StrictServer.StartWithEchoFunctionAsync(_directory, "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n", strict);

    private static async Task<Uri> CreateUrlAsync(RunningServer server, string body)
    {
        using HttpRequestMessage request = TestSigner.Request(HttpMethod.Post, server.Server.Endpoint, "/2021-10-31/functions/echo/url", body,
            StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        using HttpResponseMessage created = await server.Http.SendAsync(request).WaitAsync(Timeouts.Default);
        string text = await created.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        return new Uri(JsonDocument.Parse(text).RootElement.GetProperty("FunctionUrl").GetString()!);
    }

    [Fact]
    public async Task AnAwsIamUrlTakesOnlyARequestSignedForLambdaByAKnownKey()
    {
        await using RunningServer server = await StartAsync();
        Uri url = await CreateUrlAsync(server, """{"AuthType":"AWS_IAM"}""");
        string authority = $"{url.Host}:{url.Port}";

        async Task<HttpResponseMessage> SendAsync(string? secret, string service = "lambda")
        {
            HttpRequestMessage request = new(HttpMethod.Get, new Uri(server.Server.Endpoint, "/"));
            request.Headers.Host = authority;
            if (secret is not null)
            {
                TestSigner.Signature signature = TestSigner.Sign("GET", "/", authority, [], StrictServer.AccessKeyId, secret, service, DateTimeOffset.UtcNow);
                request.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
                request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
            }

            return await server.Http.SendAsync(request).WaitAsync(Timeouts.Default);
        }

        using (HttpResponseMessage signed = await SendAsync(StrictServer.SecretAccessKey))
        {
            string text = await signed.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
            Assert.True(signed.StatusCode == HttpStatusCode.OK, text);
            JsonElement iam = JsonDocument.Parse(text).RootElement.GetProperty("requestContext").GetProperty("authorizer").GetProperty("iam");
            Assert.Equal(StrictServer.AccessKeyId, iam.GetProperty("accessKey").GetString());
        }

        foreach ((string? secret, string service) in new[] { ((string?)null, "lambda"), ("wrong-secret", "lambda"), (StrictServer.SecretAccessKey, "dynamodb") })
        {
            using HttpResponseMessage refused = await SendAsync(secret, service);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("AccessDeniedException", refused.Headers.GetValues("x-amzn-ErrorType").Single());
            Assert.Equal("""{"Message":"Forbidden"}""", await refused.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default));
        }
    }

    [Fact]
    public async Task ANoneUrlsPostSlashWithAnXAmzTargetReachesTheFunctionNotTheStore()
    {
        // `--auth off`: only then does the store's event loop take connections (under strict, Kestrel has them all).
        await using RunningServer server = await StartAsync(strict: false);
        Uri url = await CreateUrlAsync(server, """{"AuthType":"NONE"}""");

        // A request the store's event loop would answer as its own (POST /, X-Amz-Target, JSON: the store would list
        // its tables): the URL's Host sends it to the function instead.
        HttpRequestMessage request = new(HttpMethod.Post, new Uri(server.Server.Endpoint, "/"));
        request.Headers.Host = $"{url.Host}:{url.Port}";
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Content = new ByteArrayContent("{}"u8.ToArray());
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.0");
        // A new connection: the one that created the URL went to Kestrel with that request, and stays there.
        using HttpClient fresh = new() { Timeout = Timeouts.Default };
        using HttpResponseMessage response = await fresh.SendAsync(request).WaitAsync(Timeouts.Default);
        string text = await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Default);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        JsonElement received = JsonDocument.Parse(text).RootElement;
        Assert.Equal("DynamoDB_20120810.ListTables", received.GetProperty("headers").GetProperty("x-amz-target").GetString());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")), received.GetProperty("body").GetString());

        // The store is still the store for its own Host.
        Assert.Empty((await server.Client.ListTablesAsync().WaitAsync(Timeouts.Default)).TableNames);
    }
}
