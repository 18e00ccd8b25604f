using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// The official clients sign correctly under <c>--auth strict</c>: @aws-sdk v3, aws-sdk v2, boto3 and the AWS CLI each
/// write and read with the configured key, and each gets InvalidSignatureException with a wrong secret.
/// </summary>
public sealed class ClientSigningTests
{
    private const string NodeV3 = """
        const { DynamoDBClient, PutItemCommand, GetItemCommand } = require('@aws-sdk/client-dynamodb');
        const [endpoint, key, secret] = process.argv.slice(1);
        const c = new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: key, secretAccessKey: secret } });
        (async () => {
          try {
            await c.send(new PutItemCommand({ TableName: 'signed', Item: { pk: { S: 'node-v3 \u00e9' } } }));
            const r = await c.send(new GetItemCommand({ TableName: 'signed', Key: { pk: { S: 'node-v3 \u00e9' } } }));
            console.log('OK ' + r.Item.pk.S);
          } catch (e) { console.log('ERR ' + e.name); }
        })();
        """;

    private const string NodeV2 = """
        const AWS = require('aws-sdk');
        const [endpoint, key, secret] = process.argv.slice(1);
        const c = new AWS.DynamoDB({ endpoint, region: 'us-east-1', maxRetries: 0, accessKeyId: key, secretAccessKey: secret });
        (async () => {
          try {
            await c.putItem({ TableName: 'signed', Item: { pk: { S: 'node-v2 \u00e9' } } }).promise();
            const r = await c.getItem({ TableName: 'signed', Key: { pk: { S: 'node-v2 \u00e9' } } }).promise();
            console.log('OK ' + r.Item.pk.S);
          } catch (e) { console.log('ERR ' + e.code); }
        })();
        """;

    private const string Boto3 = """
        import sys, boto3, botocore.config, botocore.exceptions
        endpoint, key, secret = sys.argv[1:4]
        c = boto3.client('dynamodb', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret,
                         config=botocore.config.Config(retries={'max_attempts': 1, 'mode': 'standard'}))
        try:
            c.put_item(TableName='signed', Item={'pk': {'S': 'boto3 \u00e9'}})
            print('OK ' + c.get_item(TableName='signed', Key={'pk': {'S': 'boto3 \u00e9'}})['Item']['pk']['S'])
        except botocore.exceptions.ClientError as e:
            print('ERR ' + e.response['Error']['Code'])
        """;

    private static async Task<RunningServer> StartWithTableAsync()
    {
        RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        using Amazon.DynamoDBv2.AmazonDynamoDBClient client = RunningServer.NewClient(server.Server.Endpoint, StrictServer.AccessKeyId, StrictServer.SecretAccessKey);
        await client.CreateTableAsync(new Amazon.DynamoDBv2.Model.CreateTableRequest
        {
            TableName = "signed",
            KeySchema = [new("pk", Amazon.DynamoDBv2.KeyType.HASH)],
            AttributeDefinitions = [new("pk", Amazon.DynamoDBv2.ScalarAttributeType.S)],
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
        }).WaitAsync(Timeouts.Default);
        return server;
    }

    private static Task<ChildProcess.Result> NodeAsync(string script, string endpoint, string secret)
    {
        string clients = Path.Combine(ChildProcess.RepositoryRoot(), "tests", "clients");
        Assert.True(Directory.Exists(Path.Combine(clients, "node_modules", "@aws-sdk")), $"run `npm ci` in {clients} (scripts/test.sh does it)");
        return ChildProcess.RunAsync("node", ["-e", script, endpoint, StrictServer.AccessKeyId, secret],
            new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(clients, "node_modules"), ["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = "1" }, clients);
    }

    [Theory]
    [InlineData("node-v3")]
    [InlineData("node-v2")]
    [InlineData("boto3")]
    public async Task TheSdkSignsCorrectlyAndAWrongSecretIsRefused(string client)
    {
        await using RunningServer server = await StartWithTableAsync();
        string endpoint = server.Server.Endpoint.GetLeftPart(UriPartial.Authority);
        Func<string, Task<ChildProcess.Result>> run = client switch
        {
            "node-v3" => secret => NodeAsync(NodeV3, endpoint, secret),
            "node-v2" => secret => NodeAsync(NodeV2, endpoint, secret),
            _ => secret => ChildProcess.RunAsync("python3", ["-c", Boto3, endpoint, StrictServer.AccessKeyId, secret]),
        };

        ChildProcess.Result good = await run(StrictServer.SecretAccessKey);
        Assert.True(good.StandardOutput.Trim() == $"OK {client} \u00e9", $"{client}: {good.StandardOutput} {good.StandardError}");
        ChildProcess.Result bad = await run("wrong-secret");
        Assert.True(bad.StandardOutput.Trim() == "ERR InvalidSignatureException", $"{client}: {bad.StandardOutput} {bad.StandardError}");
    }

    [Fact]
    public async Task TheAwsCliSignsCorrectlyAndAWrongSecretIsRefused()
    {
        await using RunningServer server = await StartWithTableAsync();
        string endpoint = server.Server.Endpoint.GetLeftPart(UriPartial.Authority);
        Dictionary<string, string> environment = StrictServer.CliEnvironment();
        string[] put = ["dynamodb", "put-item", "--endpoint-url", endpoint, "--table-name", "signed", "--item", "{\"pk\":{\"S\":\"cli\"}}"];
        ChildProcess.Result good = await ChildProcess.RunAsync("aws", put, environment);
        Assert.True(good.ExitCode == 0, good.StandardError);
        ChildProcess.Result read = await ChildProcess.RunAsync("aws", ["dynamodb", "get-item", "--endpoint-url", endpoint, "--table-name", "signed", "--key", "{\"pk\":{\"S\":\"cli\"}}"], environment);
        Assert.Contains("\"cli\"", read.StandardOutput, StringComparison.Ordinal);

        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret";
        ChildProcess.Result bad = await ChildProcess.RunAsync("aws", put, environment);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("InvalidSignatureException", bad.StandardError, StringComparison.Ordinal);
    }
}
