using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Handshake.Commands;

namespace Handshake.Experiment;

/// <summary>
/// The bench's side of a Handshake endpoint, all over loopback HTTP so that an in-process server and one given with
/// --endpoint are driven the same way: the table (CreateTable, DescribeTable's ItemCount), the function (the Lambda
/// control plane), the connection accounting and the functions' logs.
/// </summary>
internal sealed class BenchEndpoint : IDisposable
{
    private static readonly (string Text, string Code)[] Errnos =
    [
        ("EADDRNOTAVAIL", "EADDRNOTAVAIL"), ("Cannot assign requested address", "EADDRNOTAVAIL"),
        ("ECONNRESET", "ECONNRESET"), ("Connection reset", "ECONNRESET"),
        ("ECONNREFUSED", "ECONNREFUSED"), ("Connection refused", "ECONNREFUSED"),
        ("EPIPE", "EPIPE"), ("Broken pipe", "EPIPE"),
        ("ETIMEDOUT", "ETIMEDOUT"), ("EMFILE", "EMFILE"), ("Too many open files", "EMFILE"),
    ];

    private readonly HttpClient _control;
    private readonly ClientCredentials _credentials;

    /// <summary>
    /// The control plane and the accounting; the invocations themselves go through <see cref="InvokeConnection"/>.
    /// The DynamoDB and Lambda calls are signed with <paramref name="credentials"/>, so that a running `up --auth strict`
    /// takes them; the admin routes (/_handshake/*) answer a loopback peer unsigned.
    /// </summary>
    public BenchEndpoint(Uri endpoint, ClientCredentials credentials)
    {
        Endpoint = endpoint;
        _credentials = credentials;
        _control = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Endpoint { get; }

    /// <summary>Throws ExperimentException (one line) when nothing answers, or something that is not Handshake.</summary>
    public async Task CheckReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using HttpResponseMessage response = await _control.GetAsync("/_handshake/connections", timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ExperimentException($"{Endpoint} answered {(int)response.StatusCode} for /_handshake/connections: not a Handshake endpoint");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ExperimentException($"cannot reach {Endpoint}: {e.Message}");
        }
    }

    public async Task CreateTableAsync(string tableName, CancellationToken cancellationToken)
    {
        string body = $$"""{"TableName":"{{tableName}}","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}""";
        using JsonDocument _ = await DynamoAsync("CreateTable", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DescribeTable's ItemCount, which Handshake keeps exact.</summary>
    public async Task<long> ItemCountAsync(string tableName, CancellationToken cancellationToken)
    {
        using JsonDocument table = await DynamoAsync("DescribeTable", $$"""{"TableName":"{{tableName}}"}""", cancellationToken).ConfigureAwait(false);
        return table.RootElement.GetProperty("Table").GetProperty("ItemCount").GetInt64();
    }

    public async Task DeleteTableAsync(string tableName, CancellationToken cancellationToken)
    {
        using JsonDocument _ = await DynamoAsync("DeleteTable", $$"""{"TableName":"{{tableName}}"}""", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Declares the function on a local code directory (LocalStack's hot-reload convention) with reserved concurrency.</summary>
    public async Task CreateFunctionAsync(string name, BenchMode mode, string codeDirectory, IReadOnlyDictionary<string, string> environment,
        int reservedConcurrency, CancellationToken cancellationToken)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("FunctionName", name);
            writer.WriteString("Runtime", mode.Runtime);
            writer.WriteString("Handler", mode.Handler);
            writer.WriteString("Role", "arn:aws:iam::000000000000:role/handshake-bench");
            writer.WriteNumber("Timeout", 30);
            writer.WriteNumber("MemorySize", 512);
            writer.WriteStartObject("Code");
            writer.WriteString("S3Bucket", "hot-reload");
            writer.WriteString("S3Key", codeDirectory);
            writer.WriteEndObject();
            writer.WriteStartObject("Environment");
            writer.WriteStartObject("Variables");
            foreach ((string key, string value) in environment)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await SendAsync(HttpMethod.Post, "/2015-03-31/functions", buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        byte[] concurrency = Encoding.UTF8.GetBytes($$"""{"ReservedConcurrentExecutions":{{reservedConcurrency}}}""");
        await SendAsync(HttpMethod.Put, $"/2017-10-31/functions/{name}/concurrency", concurrency, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteFunctionAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"/2015-03-31/functions/{name}", null, cancellationToken);

    /// <summary>A function error payload {"errorType","errorMessage"} as a short key: the type, plus the errno it names.</summary>
    public static string ClassifyError(ReadOnlySpan<byte> body)
    {
        try
        {
            Utf8JsonReader reader = new(body);
            using JsonDocument error = JsonDocument.ParseValue(ref reader);
            string type = error.RootElement.TryGetProperty("errorType", out JsonElement t) ? t.GetString() ?? "Unhandled" : "Unhandled";
            string message = error.RootElement.TryGetProperty("errorMessage", out JsonElement m) ? m.GetString() ?? "" : "";
            // Node names the errno; .NET gives strerror's text, which is named back to its errno here.
            foreach ((string text, string code) in Errnos)
            {
                if (message.Contains(text, StringComparison.Ordinal))
                {
                    return $"{type} ({code})";
                }
            }

            return type;
        }
        catch (JsonException)
        {
            return "Unhandled";
        }
    }

    /// <summary>The function's store connections: opened, over TLS, and how many environments opened any.</summary>
    public async Task<(long Opened, long Tls, int Environments, long Requests)> FunctionConnectionsAsync(string name, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _control.GetAsync("/_handshake/connections", cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using JsonDocument report = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        foreach (JsonElement function in report.RootElement.GetProperty("functions").EnumerateArray())
        {
            if (function.GetProperty("functionName").GetString() == name)
            {
                JsonElement totals = function.GetProperty("totals");
                return (totals.GetProperty("opened").GetInt64(), totals.GetProperty("tls").GetInt64(),
                    function.GetProperty("environments").GetArrayLength(), totals.GetProperty("requests").GetInt64());
            }
        }

        return (0, 0, 0, 0);
    }

    /// <summary>A page of the function's log events from <paramref name="from"/>, waiting up to 1 s for the first.</summary>
    public async Task<(List<(long Sequence, string Message)> Events, long Next)> LogsAsync(string name, long from, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _control.GetAsync($"/_handshake/logs/{name}?from={from}&wait=1&limit=10000", cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using JsonDocument page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        List<(long, string)> events = [];
        foreach (JsonElement e in page.RootElement.GetProperty("events").EnumerateArray())
        {
            events.Add((e.GetProperty("sequence").GetInt64(), e.GetProperty("message").GetString() ?? ""));
        }

        return (events, page.RootElement.GetProperty("nextSequence").GetInt64());
    }

    private async Task<JsonDocument> DynamoAsync(string operation, string body, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(Endpoint, "/"));
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810." + operation);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        _credentials.Sign(request, bytes, "dynamodb");
        using HttpResponseMessage response = await _control.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new ExperimentException($"the store refused {operation}: {text}");
        }

        return JsonDocument.Parse(text);
    }

    private async Task SendAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = new(method, new Uri(Endpoint, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        _credentials.Sign(request, body, "lambda");

        using HttpResponseMessage response = await _control.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ExperimentException($"the function host refused {method} {path}: {text}");
        }
    }

    public void Dispose()
    {
        _control.Dispose();
    }
}
