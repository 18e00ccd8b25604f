using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Handshake.Runtime.Client;

/// <summary>
/// The Lambda Runtime API (2018-06-01) over one HttpClient: <c>GET invocation/next</c>, <c>POST invocation/{id}/response</c>,
/// <c>POST invocation/{id}/error</c> and <c>POST init/error</c>. Calls are sequential, so one kept-alive connection to the
/// Runtime API carries every call for the life of the environment.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    private const string ApiVersion = "2018-06-01";

    private readonly HttpClient _http;

    /// <param name="runtimeApi">The value of AWS_LAMBDA_RUNTIME_API: <c>host:port</c>.</param>
    public RuntimeApiClient(string runtimeApi)
        : this(runtimeApi, CreateHandler())
    {
    }

    public RuntimeApiClient(string runtimeApi, HttpMessageHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = new Uri($"http://{runtimeApi}/{ApiVersion}/runtime/"),
            // No timeout, and this is not an oversight: GET invocation/next is a long poll that stays pending for as long
            // as no event arrives, and Lambda freezes the whole environment while it is pending (minutes, hours). A
            // timeout would fire on thaw and abandon an event the platform has already handed to this environment.
            // AWS's Runtime API documentation says it in so many words: "Do not set a timeout on the GET request".
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        // The Runtime API is a local endpoint: never route it through HTTP_PROXY, never follow redirects.
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        // The connection is idle only while the environment is frozen inside /next, where no timer can run anyway;
        // never drop it client-side, so every call rides the same connection.
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = 1,
    };

    /// <summary>Waits, without a timeout, for the next event. Throws <see cref="RuntimeApiException"/> on a non-200 answer.</summary>
    public async Task<InvocationRequest> GetNextInvocationAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await ErrorAsync("invocation/next", response, cancellationToken).ConfigureAwait(false);
        }

        var headers = response.Headers.NonValidated;
        var requestId = Header(headers, RuntimeApiHeaders.AwsRequestId)
            ?? throw new RuntimeApiException("invocation/next", response.StatusCode, $"no {RuntimeApiHeaders.AwsRequestId} header");
        var deadline = Header(headers, RuntimeApiHeaders.DeadlineMs);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new InvocationRequest
        {
            AwsRequestId = requestId,
            DeadlineMs = long.TryParse(deadline, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0,
            InvokedFunctionArn = Header(headers, RuntimeApiHeaders.InvokedFunctionArn) ?? string.Empty,
            TraceId = Header(headers, RuntimeApiHeaders.TraceId),
            ClientContext = Header(headers, RuntimeApiHeaders.ClientContext),
            CognitoIdentity = Header(headers, RuntimeApiHeaders.CognitoIdentity),
            Payload = payload,
        };
    }

    /// <summary>Posts the function's result for <paramref name="awsRequestId"/>.</summary>
    public Task PostInvocationResponseAsync(string awsRequestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var path = $"invocation/{Uri.EscapeDataString(awsRequestId)}/response";
        return PostAsync(path, new ReadOnlyMemoryContent(payload), errorType: null, cancellationToken);
    }

    /// <summary>Posts a function error in Lambda's error shape, with Lambda-Runtime-Function-Error-Type.</summary>
    public Task PostInvocationErrorAsync(string awsRequestId, LambdaError error, CancellationToken cancellationToken = default)
    {
        var path = $"invocation/{Uri.EscapeDataString(awsRequestId)}/error";
        return PostAsync(path, ErrorContent(error), error.ErrorType, cancellationToken);
    }

    /// <summary>Posts an initialization error; Lambda answers the pending invocation with it, and the runtime exits.</summary>
    public Task PostInitErrorAsync(LambdaError error, CancellationToken cancellationToken = default) =>
        PostAsync("init/error", ErrorContent(error), error.ErrorType, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static ByteArrayContent ErrorContent(LambdaError error)
    {
        var content = new ByteArrayContent(error.ToUtf8Json());
        content.Headers.ContentType = new MediaTypeHeaderValue(RuntimeApiHeaders.ErrorContentType);
        return content;
    }

    private async Task PostAsync(string path, HttpContent content, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(RuntimeApiHeaders.FunctionErrorType, errorType);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted && response.StatusCode != HttpStatusCode.OK)
        {
            throw await ErrorAsync(path, response, cancellationToken).ConfigureAwait(false);
        }

        // Drain the small {"status":"OK"} body so the connection goes back to the pool ready for /next.
        await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }

    private static string? Header(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out var values) && values.Count > 0 ? values.ToString() : null;

    private static async Task<RuntimeApiException> ErrorAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new RuntimeApiException(operation, response.StatusCode, body);
    }
}
