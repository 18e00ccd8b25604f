using System.Net;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Handshake.Dynamo;
using Handshake.Dynamo.Protocol;
using Handshake.Lambda.Functions;
using Handshake.Lambda.InvokeApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The store and the function host on one endpoint at 127.0.0.1:0, as <c>handshake up</c> composes them (the host
/// reads the store's streams in-process), for the event source mapping tests. Functions are stream-recorder bash
/// runtimes, each with its record file and control directory.
/// </summary>
internal sealed class StreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DynamoStore _store;
    private readonly string _work;
    private readonly bool _ownsWork;

    private StreamServer(WebApplication app, DynamoStore store, TestHost test, Uri endpoint, string work, bool ownsWork)
    {
        _ownsWork = ownsWork;
        _app = app;
        _store = store;
        Test = test;
        Endpoint = endpoint;
        _work = work;
        Dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("AKIDLOCAL", "local"), new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1" });
    }

    public TestHost Test { get; }

    public FunctionHost Host => Test.Host;

    public Uri Endpoint { get; }

    public AmazonDynamoDBClient Dynamo { get; }

    public DynamoStore Store => _store;

    /// <param name="dataDirectory">
    /// Null: the store in memory and the host on a temporary directory. Given: the store (DATA/store), the host's state
    /// (DATA/lambda) and the functions' record files (DATA/work) are kept there, so that a second server on the same
    /// directory is a restart; the caller deletes it.
    /// </param>
    /// <param name="clock">The host's clock, and the store's when it is kept on <paramref name="dataDirectory"/>.</param>
    /// <param name="eventRetryDelays">The host's delays between Event invocation retries; short by default.</param>
    public static async Task<StreamServer> StartAsync(string? dataDirectory = null, TimeProvider? clock = null, IReadOnlyList<TimeSpan>? eventRetryDelays = null)
    {
        DynamoStore store = DynamoStore.Open(dataDirectory is null
            ? new DynamoStoreOptions { InMemory = true }
            : new DynamoStoreOptions { DataDirectory = Path.Combine(dataDirectory, "store"), Clock = clock ?? TimeProvider.System });
        // Short retry delays: the tests count retries, not seconds.
        TestHost test = TestHost.Start(new FunctionHostOptions
        {
            Streams = store.StreamFeed,
            EventSourceRetryBaseDelay = TimeSpan.FromMilliseconds(50),
            EventSourceRetryMaxDelay = TimeSpan.FromMilliseconds(200),
            EventRetryDelays = eventRetryDelays ?? [TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20)],
            DataDirectory = dataDirectory is null ? null : Path.Combine(dataDirectory, "lambda"),
            Clock = clock ?? TimeProvider.System,
        });
        LambdaHttpEndpoint lambda = new(test.Host);
        DynamoHttpEndpoint dynamo = new(store);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        WebApplication app = builder.Build();
        app.Run(context => LambdaHttpEndpoint.IsLambdaRequest(context.Request) ? lambda.HandleAsync(context) : dynamo.HandleAsync(context));
        await app.StartAsync().WaitAsync(TestHost.Wait);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        string work = dataDirectory is null ? Directory.CreateTempSubdirectory("handshake-esm-").FullName : Directory.CreateDirectory(Path.Combine(dataDirectory, "work")).FullName;
        return new StreamServer(app, store, test, new Uri(address), work, ownsWork: dataDirectory is null);
    }

    /// <summary>A table keyed by "id" (a string) with a NEW_AND_OLD_IMAGES stream; its stream ARN.</summary>
    public async Task<string> CreateTableAsync(string name)
    {
        CreateTableResponse created = await Dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
        }).WaitAsync(TestHost.Wait);
        return created.TableDescription.LatestStreamArn;
    }

    public Task PutAsync(string table, string id, string value) =>
        Dynamo.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["id"] = new(id), ["value"] = new(value) }).WaitAsync(TestHost.Wait);

    /// <summary>A stream-recorder function; what it receives goes to <see cref="RecordFile"/>, its answers follow <see cref="ControlDirectory"/>.</summary>
    /// <param name="reserved">Reserved concurrency: 0 throttles every invocation (an Event invocation then waits queued).</param>
    public FunctionDefinition AddRecorder(string name, int? reserved = null)
    {
        Directory.CreateDirectory(ControlDirectory(name));
        FunctionDefinition definition = new()
        {
            Name = name,
            Runtime = "provided.al2023",
            Handler = "function.handler",
            CodeDirectory = TestHost.FunctionDirectory("stream-recorder"),
            Timeout = 10,
            Environment = new Dictionary<string, string>
            {
                ["HANDSHAKE_TEST_MARKER"] = Test.Marker,
                ["RECORD_FILE"] = RecordFile(name),
                ["CONTROL_DIR"] = ControlDirectory(name),
            },
            ReservedConcurrency = reserved,
        };
        // On a restart, the host may have brought the function back from its saved state: declared again, as a
        // project file does.
        return Host.TryGetFunction(name, out _) ? Host.UpdateFunction(name, _ => definition) : Host.CreateFunction(definition);
    }

    public string RecordFile(string function) => Path.Combine(_work, function + ".jsonl");

    public string ControlDirectory(string function) => Path.Combine(_work, function + "-control");

    public void Control(string function, string file, string content) => File.WriteAllText(Path.Combine(ControlDirectory(function), file), content);

    /// <summary>The events the function has received so far, in order.</summary>
    public List<JsonElement> Events(string function)
    {
        string file = RecordFile(function);
        if (!File.Exists(file))
        {
            return [];
        }

        // Only whole lines: the function may be writing the next one (a large event takes more than one write).
        string text = File.ReadAllText(file);
        string[] lines = text.Split('\n');
        List<JsonElement> events = [];
        for (int i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length > 0)
            {
                // An item nested at DynamoDB's limit is deeper than the reader's default 64 levels.
                events.Add(JsonDocument.Parse(lines[i], new JsonDocumentOptions { MaxDepth = 128 }).RootElement.Clone());
            }
        }

        return events;
    }

    /// <summary>The ids of each event's records: one list per invocation.</summary>
    public List<List<string>> Batches(string function) =>
        Events(function).ConvertAll(e => e.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("id").GetProperty("S").GetString()!).ToList());

    /// <summary>Waits (bounded) until the function has received <paramref name="count"/> events.</summary>
    public Task<List<List<string>>> WaitForBatchesAsync(string function, int count) =>
        WaitUntilAsync(() => Batches(function), batches => batches.Count >= count);

    /// <summary>
    /// Waits, at most <see cref="TestHost.Wait"/>, until a condition holds on something read repeatedly: the function's
    /// record file and the mapping's state change in other processes and threads, with nothing to wait on here.
    /// </summary>
    public static async Task<T> WaitUntilAsync<T>(Func<T> read, Func<T, bool> done)
    {
        using CancellationTokenSource timeout = new(TestHost.Wait);
        while (true)
        {
            T value = read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(25, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dynamo.Dispose();
        await _app.StopAsync().WaitAsync(TestHost.Wait);
        await _app.DisposeAsync();
        await Test.DisposeAsync();
        await _store.DisposeAsync();
        if (_ownsWork)
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
