using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// <c>--auth strict</c> with AWSSDK.DynamoDBv2 as the signer: its requests pass; the same requests replayed with a
/// header, the body, the date, the key or the signature tampered fail with DynamoDB's exact errors.
/// </summary>
public sealed class StrictAuthTests
{
    private const string Mismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private static AmazonDynamoDBClient Client(Uri endpoint, string key, string secret, CapturingHttpClientFactory? capture = null) => new(
        new BasicAWSCredentials(key, secret),
        new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = capture,
            CacheHttpClient = capture is null,
        });

    [Fact]
    public async Task TheDotNetSdkSignsCorrectlyAndWrongCredentialsAreRefused()
    {
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        using AmazonDynamoDBClient good = Client(server.Server.Endpoint, StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        await good.CreateTableAsync(new CreateTableRequest
        {
            TableName = "strict",
            KeySchema = [new("pk", KeyType.HASH)],
            AttributeDefinitions = [new("pk", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        }).WaitAsync(Timeouts.Default);
        await good.PutItemAsync("strict", new() { ["pk"] = new AttributeValue { S = "signed \u00e9 \u6f22" } }).WaitAsync(Timeouts.Default);
        GetItemResponse read = await good.GetItemAsync("strict", new() { ["pk"] = new AttributeValue { S = "signed \u00e9 \u6f22" } }).WaitAsync(Timeouts.Default);
        Assert.True(read.IsItemSet);

        // The printed dummy key is not known to a server that was not told about it.
        using AmazonDynamoDBClient unknown = Client(server.Server.Endpoint, "AKIDNOBODY", StrictServer.SecretAccessKey);
        AmazonDynamoDBException unknownError = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => unknown.ListTablesAsync().WaitAsync(Timeouts.Default));
        Assert.Equal("UnrecognizedClientException", unknownError.ErrorCode);
        Assert.Equal("The security token included in the request is invalid.", unknownError.Message);

        using AmazonDynamoDBClient wrongSecret = Client(server.Server.Endpoint, StrictServer.AccessKeyId, "not the secret");
        AmazonDynamoDBException wrongError = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => wrongSecret.ListTablesAsync().WaitAsync(Timeouts.Default));
        Assert.Equal("InvalidSignatureException", wrongError.ErrorCode);
        Assert.Equal(Mismatch, wrongError.Message);
    }

    [Fact]
    public async Task ASessionTokenSentWithAKeyThatHasNoneIsRefused()
    {
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        AmazonDynamoDBConfig config = new() { ServiceURL = server.Server.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 };

        // A long-term key with a stale AWS_SESSION_TOKEN beside it: correctly signed, token included, refused as AWS does.
        using AmazonDynamoDBClient stale = new(new SessionAWSCredentials(StrictServer.AccessKeyId, StrictServer.SecretAccessKey, "stale"), config);
        AmazonDynamoDBException error = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => stale.ListTablesAsync().WaitAsync(Timeouts.Default));
        Assert.Equal(("UnrecognizedClientException", "The security token included in the request is invalid."), (error.ErrorCode, error.Message));

        // The same key without the token still passes.
        using AmazonDynamoDBClient plain = Client(server.Server.Endpoint, StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        await plain.ListTablesAsync().WaitAsync(Timeouts.Default);
    }

    // A ListTables the SDK signed with the configured key, captured as it went on the wire.
    private static async Task<CapturedRequest> CaptureListTablesAsync(RunningServer server)
    {
        CapturingHttpClientFactory capture = new();
        using (AmazonDynamoDBClient client = Client(server.Server.Endpoint, StrictServer.AccessKeyId, StrictServer.SecretAccessKey, capture))
        {
            await client.ListTablesAsync().WaitAsync(Timeouts.Default);
        }

        return Assert.Single(capture.Requests);
    }

    [Fact]
    public async Task TamperedRequestsFailAndTheIntactOnePasses()
    {
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        CapturedRequest listTables = await CaptureListTablesAsync(server);
        using HttpClient http = new() { Timeout = Timeouts.Default };
        string amzDate = listTables.Headers.Single(h => h.Key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)).Value;
        DateTime signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        // Intact: a replay within the window is accepted, as AWS accepts it.
        Assert.Equal(200, (await StrictServer.ReplayAsync(http, listTables)).Status);

        // A signed header changed: another operation.
        StrictServer.Answer target = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase) ? "DynamoDB_20120810.DescribeLimits" : value);
        Assert.Equal(("InvalidSignatureException", Mismatch), (target.Type, target.Message));

        // The body changed by one byte.
        StrictServer.Answer body = await StrictServer.ReplayAsync(http, listTables, body: Encoding.UTF8.GetBytes("{\"Limit\":5}"));
        Assert.Equal(("InvalidSignatureException", Mismatch), (body.Type, body.Message));

        // The date moved by one second: inside the window, but no longer what was signed.
        string nextSecond = signedAt.AddSeconds(1).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        StrictServer.Answer date = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ? nextSecond : value);
        Assert.Equal(("InvalidSignatureException", Mismatch), (date.Type, date.Message));

        // The signature itself altered.
        StrictServer.Answer signature = await StrictServer.ReplayAsync(http, listTables, (name, value) => name == "Authorization" ? value[..^4] + "0000" : value);
        Assert.Equal(("InvalidSignatureException", Mismatch), (signature.Type, signature.Message));

        // Another key id in the credential.
        StrictServer.Answer key = await StrictServer.ReplayAsync(http, listTables, (name, value) => name == "Authorization" ? value.Replace(StrictServer.AccessKeyId, "AKIDOTHER", StringComparison.Ordinal) : value);
        Assert.Equal(("UnrecognizedClientException", "The security token included in the request is invalid."), (key.Type, key.Message));

        // No Authorization at all; one without its Signature; no date header.
        StrictServer.Answer missing = await StrictServer.ReplayAsync(http, listTables, (name, value) => name == "Authorization" ? null : value);
        Assert.Equal(("MissingAuthenticationTokenException", "Request is missing Authentication Token"), (missing.Type, missing.Message));
        StrictServer.Answer incomplete = await StrictServer.ReplayAsync(http, listTables, (name, value) => name == "Authorization" ? value[..value.IndexOf(", Signature=", StringComparison.Ordinal)] : value);
        Assert.Equal("IncompleteSignatureException", incomplete.Type);
        Assert.StartsWith("Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=", incomplete.Message, StringComparison.Ordinal);
        StrictServer.Answer undated = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ? null : value);
        Assert.Equal("IncompleteSignatureException", undated.Type);
        Assert.StartsWith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", undated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimestampsOutsideFifteenMinutesAreRefusedWithAwsText()
    {
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        CapturedRequest listTables = await CaptureListTablesAsync(server);
        using HttpClient http = new() { Timeout = Timeouts.Default };
        string old = DateTime.UtcNow.AddMinutes(-16).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        StrictServer.Answer expired = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ? old : value);
        Assert.Equal("InvalidSignatureException", expired.Type);
        Assert.Matches(new Regex($@"^Signature expired: {old} is now earlier than \d{{8}}T\d{{6}}Z \(\d{{8}}T\d{{6}}Z - 15 min\.\)$"), expired.Message!);

        string future = DateTime.UtcNow.AddMinutes(16).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        StrictServer.Answer early = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ? future : value);
        Assert.Equal("InvalidSignatureException", early.Type);
        Assert.Matches(new Regex($@"^Signature not yet current: {future} is still later than \d{{8}}T\d{{6}}Z \(\d{{8}}T\d{{6}}Z \+ 15 min\.\)$"), early.Message!);

        StrictServer.Answer garbled = await StrictServer.ReplayAsync(http, listTables, (name, value) => name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) ? "201" : value);
        Assert.Equal(("IncompleteSignatureException", "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"), (garbled.Type, garbled.Message));
    }

    [Fact]
    public async Task AuthOffStillAcceptsAnyAws4Signature()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using AmazonDynamoDBClient anyone = Client(server.Server.Endpoint, "anything", "whatever");
        ListTablesResponse tables = await anyone.ListTablesAsync().WaitAsync(Timeouts.Default);
        Assert.Empty(tables.TableNames);
    }
}
