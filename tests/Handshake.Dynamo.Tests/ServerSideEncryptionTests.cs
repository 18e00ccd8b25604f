using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// A table's server-side encryption: the AWS owned key (no SSEDescription) or a KMS key, set by CreateTable's or
/// UpdateTable's SSESpecification, kept with the table and described as AWS describes it (shapes captured from AWS by
/// the ack-api-quirks project, DDB-TABLE-027, -044, -065, -079, -082, -140, -141, -371; LocalStack's AWS-validated
/// snapshot of a CreateTable with {Enabled: true} and its disable agrees).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerSideEncryptionTests(ServerFixture fixture) : IDisposable
{
    private const string Invalid = "One or more parameter values were invalid: ";
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    // The AWS managed key (alias/aws/dynamodb) of the default store (us-east-1, 000000000000), worked out apart from
    // the store (SHA-256 of "us-east-1\n000000000000\nalias/aws/dynamodb", first 16 bytes, version 8 and variant bits).
    private const string AwsManagedKey = "arn:aws:kms:us-east-1:000000000000:key/a793dcbd-ed02-8d78-b9de-ad6a9ddf3d30";
    private const string CustomerKey = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-sse-" + Guid.NewGuid().ToString("N"));
    private AmazonDynamoDBClient Client => fixture.Client;

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static CreateTableRequest Create(string name, SSESpecification? sse) => new()
    {
        TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
        SSESpecification = sse,
    };

    private static (string? Status, string? Type, string? Key)? Shape(SSEDescription? d) =>
        d is null ? null : (d.Status?.Value, d.SSEType?.Value, d.KMSMasterKeyArn);

    private async Task<(string? Status, string? Type, string? Key)?> DescribedAsync(string name, AmazonDynamoDBClient? client = null) =>
        Shape((await (client ?? Client).DescribeTableAsync(name).WaitAsync(Timeout)).Table.SSEDescription);

    /// <summary>The raw JSON of a table-level member of a response's TableDescription (or Table), or null when absent.</summary>
    private async Task<string?> RawAsync(string operation, string body, string member)
    {
        var response = await fixture.PostAsync(operation, body);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        var table = doc.RootElement.TryGetProperty("Table", out var t) ? t : doc.RootElement.GetProperty("TableDescription");
        return table.TryGetProperty(member, out var value) ? value.GetRawText() : null;
    }

    private Task<string?> RawSseAsync(string operation, string body) => RawAsync(operation, body, "SSEDescription");

    private static string Enabled(string key) => $$"""{"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"{{key}}"}""";

    [Fact]
    public async Task ATableOnTheAwsOwnedKeyHasNoSseDescription()
    {
        foreach (var sse in new SSESpecification?[] { null, new() { Enabled = false }, new() })
        {
            var created = await Client.CreateTableAsync(Create(fixture.NewTableName(), sse)).WaitAsync(Timeout);
            Assert.Null(created.TableDescription.SSEDescription);
            Assert.Null(await DescribedAsync(created.TableDescription.TableName));
        }
    }

    [Fact]
    public async Task EnabledWithoutAKeyIsTheAwsManagedKeyDescribedExactly()
    {
        // {Enabled: true}, with SSEType KMS, with SSEType KMS alone, and the AWS managed key's alias by name and by ARN all
        // encrypt with the account's alias/aws/dynamodb key (DDB-TABLE-027, -044).
        foreach (var sse in new SSESpecification[]
        {
            new() { Enabled = true },
            new() { Enabled = true, SSEType = SSEType.KMS },
            new() { SSEType = SSEType.KMS },
            new() { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = "alias/aws/dynamodb" },
            new() { SSEType = SSEType.KMS, KMSMasterKeyId = "arn:aws:kms:us-east-1:000000000000:alias/aws/dynamodb" },
        })
        {
            var created = await Client.CreateTableAsync(Create(fixture.NewTableName(), sse)).WaitAsync(Timeout);
            Assert.Equal(("ENABLED", "KMS", AwsManagedKey), Shape(created.TableDescription.SSEDescription));
            Assert.Equal(("ENABLED", "KMS", AwsManagedKey), await DescribedAsync(created.TableDescription.TableName));
        }

        // The wire shape: exactly these three members, in CreateTable's answer and DescribeTable's.
        var name = fixture.NewTableName();
        Assert.Equal(Enabled(AwsManagedKey), await RawSseAsync("CreateTable",
            $$$"""{"TableName":"{{{name}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","SSESpecification":{"Enabled":true}}"""));
        Assert.Equal(Enabled(AwsManagedKey), await RawSseAsync("DescribeTable", $$"""{"TableName":"{{name}}"}"""));
    }

    [Fact]
    public async Task AGivenKeyIsDescribedAsItsKeyArn()
    {
        var keyArn = await Client.CreateTableAsync(Create(fixture.NewTableName(),
            new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = CustomerKey })).WaitAsync(Timeout);
        Assert.Equal(("ENABLED", "KMS", CustomerKey), Shape(keyArn.TableDescription.SSEDescription));
        Assert.Equal(("ENABLED", "KMS", CustomerKey), await DescribedAsync(keyArn.TableDescription.TableName));

        // A key id is the key in the store's region and account.
        var keyId = await Client.CreateTableAsync(Create(fixture.NewTableName(),
            new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" })).WaitAsync(Timeout);
        Assert.Equal(("ENABLED", "KMS", CustomerKey), await DescribedAsync(keyId.TableDescription.TableName));

        // An alias cannot be resolved without KMS: it gets a key ARN of its own, the same for the alias by name and by
        // ARN, and for the same alias on every table (README, Known limits).
        const string AliasKey = "arn:aws:kms:us-east-1:000000000000:key/b7ccf7f5-9fe5-81af-b7db-7809ae78b5a5";
        foreach (var alias in new[] { "alias/my-key", "arn:aws:kms:us-east-1:000000000000:alias/my-key" })
        {
            var created = await Client.CreateTableAsync(Create(fixture.NewTableName(),
                new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = alias })).WaitAsync(Timeout);
            Assert.Equal(("ENABLED", "KMS", AliasKey), Shape(created.TableDescription.SSEDescription));
            Assert.Equal(("ENABLED", "KMS", AliasKey), await DescribedAsync(created.TableDescription.TableName));
        }
    }

    [Fact]
    public async Task UpdateTableSwitchesToKmsKeysAndBackAsAwsAnswersIt()
    {
        var table = await fixture.CreateHashTableAsync();
        string Update(string sse) => $$"""{"TableName":"{{table}}","SSESpecification":{{sse}}}""";

        // From the AWS owned key: the table stays ACTIVE and the answer is a bare UPDATING (DDB-TABLE-065, -140).
        var toManaged = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = table, SSESpecification = new SSESpecification { Enabled = true } }).WaitAsync(Timeout);
        Assert.Equal(TableStatus.ACTIVE, toManaged.TableDescription.TableStatus);
        Assert.Equal(("UPDATING", (string?)null, (string?)null), Shape(toManaged.TableDescription.SSEDescription));
        Assert.Equal(("ENABLED", "KMS", AwsManagedKey), await DescribedAsync(table));

        // A key change answers UPDATING with the key the table had (DDB-TABLE-371); the new one is described next.
        Assert.Equal($$"""{"Status":"UPDATING","SSEType":"KMS","KMSMasterKeyArn":"{{AwsManagedKey}}"}""",
            await RawSseAsync("UpdateTable", Update($$"""{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"{{CustomerKey}}"}""")));
        Assert.Equal(Enabled(CustomerKey), await RawSseAsync("DescribeTable", $$"""{"TableName":"{{table}}"}"""));

        // The exact key ARN the table has is a refused no-op; its key id is accepted, as AWS re-encrypts (DDB-TABLE-082).
        var (_, type, message) = await fixture.ErrorAsync("UpdateTable", Update($$"""{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"{{CustomerKey}}"}"""));
        Assert.Equal(("com.amazon.coral.validate#ValidationException",
            Invalid + "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key"), (type, message));
        var byId = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = table,
            SSESpecification = new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" } }).WaitAsync(Timeout);
        Assert.Equal(("UPDATING", "KMS", CustomerKey), Shape(byId.TableDescription.SSEDescription));
        Assert.Equal(("ENABLED", "KMS", CustomerKey), await DescribedAsync(table));

        // Back to the AWS owned key: UPDATING with the old key, then no SSEDescription at all, never DISABLED (DDB-TABLE-079).
        var toOwned = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = table, SSESpecification = new SSESpecification { Enabled = false } }).WaitAsync(Timeout);
        Assert.Equal(TableStatus.ACTIVE, toOwned.TableDescription.TableStatus);
        Assert.Equal(("UPDATING", "KMS", CustomerKey), Shape(toOwned.TableDescription.SSEDescription));
        Assert.Null(await RawSseAsync("DescribeTable", $$"""{"TableName":"{{table}}"}"""));
        (_, type, message) = await fixture.ErrorAsync("UpdateTable", Update("""{"Enabled":false}"""));
        Assert.Equal(("com.amazon.coral.validate#ValidationException", Invalid + "Table is already encrypted by default"), (type, message));

        // SSEType KMS alone switches to the AWS managed key, as {Enabled: true} does.
        Assert.Equal("""{"Status":"UPDATING"}""", await RawSseAsync("UpdateTable", Update("""{"SSEType":"KMS"}""")));
        Assert.Equal(("ENABLED", "KMS", AwsManagedKey), await DescribedAsync(table));

        // {} asks for the AWS owned key as Enabled false does, and an SSE change beside another one is still refused
        // with the table left as it was.
        (_, _, message) = await fixture.ErrorAsync("UpdateTable", $$"""{"TableName":"{{table}}","SSESpecification":{"Enabled":false},"DeletionProtectionEnabled":true}""");
        Assert.Equal(Invalid + "Server-Side Encryption modification must be the only operation in the request", message);
        Assert.Equal(("ENABLED", "KMS", AwsManagedKey), await DescribedAsync(table));
        Assert.Equal($$"""{"Status":"UPDATING","SSEType":"KMS","KMSMasterKeyArn":"{{AwsManagedKey}}"}""", await RawSseAsync("UpdateTable", Update("{}")));
        Assert.Null(await DescribedAsync(table));
    }

    [Fact]
    public async Task OtherTableChangesKeepAndDescribeTheKey()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Create(name, new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = CustomerKey })).WaitAsync(Timeout);
        var updated = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, TableClass = TableClass.STANDARD_INFREQUENT_ACCESS }).WaitAsync(Timeout);
        Assert.Equal(("ENABLED", "KMS", CustomerKey), Shape(updated.TableDescription.SSEDescription));
        Assert.Equal(("ENABLED", "KMS", CustomerKey), await DescribedAsync(name));
        var deleted = await Client.DeleteTableAsync(name).WaitAsync(Timeout);
        Assert.Equal(("ENABLED", "KMS", CustomerKey), Shape(deleted.TableDescription.SSEDescription));
    }

    [Fact]
    public async Task TheKeySurvivesARestartOfADurableStoreAndTheManagedKeyIsPerRegionAndAccount()
    {
        // Another region and account: the AWS managed key differs from the default store's (worked out as above).
        const string ManagedHere = "arn:aws:kms:eu-west-1:123456789012:key/7c88cfdf-9be1-8f54-97f8-b0baef82131a";
        var options = new DynamoServerOptions { Store = new DynamoStoreOptions { DataDirectory = _directory, Region = "eu-west-1", AccountId = "123456789012" } };
        await using (var server = await DynamoServer.StartAsync(options).WaitAsync(Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            await client.CreateTableAsync(Create("managed", new SSESpecification { Enabled = true })).WaitAsync(Timeout);
            await client.CreateTableAsync(Create("by-id", new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" })).WaitAsync(Timeout);
            await client.CreateTableAsync(Create("switched-on", null)).WaitAsync(Timeout);
            await client.UpdateTableAsync(new UpdateTableRequest { TableName = "switched-on", SSESpecification = new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = CustomerKey } }).WaitAsync(Timeout);
            await client.CreateTableAsync(Create("switched-off", new SSESpecification { Enabled = true })).WaitAsync(Timeout);
            await client.UpdateTableAsync(new UpdateTableRequest { TableName = "switched-off", SSESpecification = new SSESpecification { Enabled = false } }).WaitAsync(Timeout);
            Assert.Equal(("ENABLED", "KMS", ManagedHere), await DescribedAsync("managed", client));
        }

        await using (var server = await DynamoServer.StartAsync(options).WaitAsync(Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            Assert.Equal(("ENABLED", "KMS", ManagedHere), await DescribedAsync("managed", client));
            Assert.Equal(("ENABLED", "KMS", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), await DescribedAsync("by-id", client));
            Assert.Equal(("ENABLED", "KMS", CustomerKey), await DescribedAsync("switched-on", client));
            Assert.Null(await DescribedAsync("switched-off", client));
            // The kept key is still the one a re-send is compared with.
            var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.UpdateTableAsync(new UpdateTableRequest { TableName = "switched-on",
                SSESpecification = new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = CustomerKey } }).WaitAsync(Timeout));
            Assert.Equal(Invalid + "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key", e.Message);
        }
    }
}
