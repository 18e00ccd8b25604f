using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace Handshake.Runtime.Client;

/// <summary>
/// The Lambda Runtime API (2018-06-01): <c>GET invocation/next</c>, <c>POST invocation/{id}/response</c>,
/// <c>POST invocation/{id}/error</c> and <c>POST init/error</c>, over one kept-alive TCP connection with blocking calls,
/// as AWS's own runtime clients do it over blocking curl.
/// </summary>
/// <remarks>
/// Synchronous on purpose. The loop is strictly sequential, and the event must wake exactly one thread: the one blocked in
/// <c>recv()</c> on the socket, which then runs the handler and posts the answer. An async HTTP stack parks the wait on
/// an epoll thread and hops to a thread-pool thread for every call, which on a small, shared machine costs more than the
/// rest of a warm invocation; and it keeps more threads alive for the host to stop and continue on every freeze.
/// The <c>...Async</c> methods keep the familiar shape but complete before they return.
/// </remarks>
public sealed class RuntimeApiClient : IDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";

    private readonly RuntimeApiConnection _connection;
    private readonly string _host;
    private readonly byte[] _nextRequest;
    private byte[] _head = new byte[512];

    /// <param name="runtimeApi">The value of AWS_LAMBDA_RUNTIME_API: <c>host:port</c>.</param>
    public RuntimeApiClient(string runtimeApi)
        : this(runtimeApi, connect: null)
    {
    }

    /// <summary>For tests: <paramref name="connect"/> opens the connection (a stream that splits reads, say).</summary>
    internal RuntimeApiClient(string runtimeApi, Func<Stream>? connect)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        if (!Uri.TryCreate($"http://{runtimeApi}/", UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException($"AWS_LAMBDA_RUNTIME_API must be host:port, not '{runtimeApi}'", nameof(runtimeApi));
        }

        var host = uri.Host.Trim('[', ']');
        var port = uri.Port;
        _host = runtimeApi;
        _connection = new RuntimeApiConnection(connect ?? (() => Connect(host, port)));
        _nextRequest = Encoding.ASCII.GetBytes($"GET {Prefix}invocation/next HTTP/1.1\r\nHost: {runtimeApi}\r\n\r\n");
    }

    /// <summary>TCP connections this client opened so far.</summary>
    public int Connections => _connection.Connections;

    /// <summary>
    /// Blocks, without a timeout, until the next event arrives. Throws <see cref="RuntimeApiException"/> on a non-200
    /// answer, <see cref="HttpRequestException"/> when the Runtime API is gone.
    /// </summary>
    /// <remarks>
    /// No timeout, and this is not an oversight: the call stays pending for as long as no event arrives, and Lambda
    /// freezes the whole environment meanwhile (minutes, hours). A timeout would fire on thaw and abandon an event the
    /// platform already handed to this environment. AWS's documentation: "Do not set a timeout on the GET request".
    /// </remarks>
    public InvocationRequest GetNextInvocation(CancellationToken cancellationToken = default)
    {
        var response = _connection.Send(_nextRequest, default, keepBody: true, cancellationToken);
        if (response.StatusCode != 200)
        {
            throw Error("invocation/next", response);
        }

        var requestId = response.AwsRequestId
            ?? throw new RuntimeApiException("invocation/next", HttpStatusCode.OK, $"no {RuntimeApiHeaders.AwsRequestId} header");
        return new InvocationRequest
        {
            AwsRequestId = requestId,
            DeadlineMs = long.TryParse(response.DeadlineMs, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0,
            InvokedFunctionArn = response.InvokedFunctionArn ?? string.Empty,
            TraceId = response.TraceId,
            ClientContext = response.ClientContext,
            CognitoIdentity = response.CognitoIdentity,
            Payload = response.Body,
        };
    }

    /// <summary>Posts the function's result for <paramref name="awsRequestId"/>.</summary>
    public void PostInvocationResponse(string awsRequestId, ReadOnlySpan<byte> payload, CancellationToken cancellationToken = default) =>
        PostInvocationResponse(awsRequestId, payload, thenNext: false, cancellationToken);

    /// <summary>Posts a function error in Lambda's error shape, with Lambda-Runtime-Function-Error-Type.</summary>
    public void PostInvocationError(string awsRequestId, LambdaError error, CancellationToken cancellationToken = default) =>
        PostInvocationError(awsRequestId, error, thenNext: false, cancellationToken);

    /// <summary>
    /// The loop's form: with <paramref name="thenNext"/>, <c>GET next</c> goes out in the same write, right behind the
    /// answer, and the next <see cref="GetNextInvocation"/> only reads its event. The runtime is back in <c>next</c> one
    /// round trip sooner (the host can freeze it sooner), and the function does one write and one wake-up fewer per
    /// invocation. The answer's status is still read, and checked, before this returns.
    /// </summary>
    internal void PostInvocationResponse(string awsRequestId, ReadOnlySpan<byte> payload, bool thenNext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(awsRequestId);
        Post("invocation/", awsRequestId, "/response", payload, errorType: null, thenNext, cancellationToken);
    }

    /// <summary><see cref="PostInvocationError(string, LambdaError, CancellationToken)"/>, with <c>GET next</c> behind it as above.</summary>
    internal void PostInvocationError(string awsRequestId, LambdaError error, bool thenNext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(awsRequestId);
        ArgumentNullException.ThrowIfNull(error);
        Post("invocation/", awsRequestId, "/error", error.ToUtf8Json(), error.ErrorType, thenNext, cancellationToken);
    }

    /// <summary>Posts an initialization error; Lambda answers the pending invocation with it, and the runtime exits.</summary>
    public void PostInitError(LambdaError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        Post("init/error", null, null, error.ToUtf8Json(), error.ErrorType, thenNext: false, cancellationToken);
    }

    /// <summary>
    /// Starts a streamed response for <paramref name="awsRequestId"/> (<c>POST invocation/{id}/response</c> in streaming
    /// mode, chunked). Nothing is sent before the stream's first write or its end; the stream must end with
    /// <see cref="LambdaResponseStream.Complete"/> or <see cref="LambdaResponseStream.Fail"/> before the next call.
    /// </summary>
    public LambdaResponseStream StartResponseStream(string awsRequestId)
    {
        ArgumentNullException.ThrowIfNull(awsRequestId);
        return new LambdaResponseStream(this, awsRequestId);
    }

    internal void WriteStreaming(ReadOnlySpan<byte> bytes) => _connection.WriteStreaming(bytes);

    internal void FinishStreaming(string awsRequestId, ReadOnlySpan<byte> last)
    {
        var response = _connection.FinishStreaming(last);
        if (response.StatusCode is not (202 or 200))
        {
            throw Error($"invocation/{Uri.EscapeDataString(awsRequestId)}/response", response);
        }
    }

    internal string Host => _host;

    /// <summary><see cref="GetNextInvocation"/>; blocks the calling thread and returns a completed task.</summary>
    public Task<InvocationRequest> GetNextInvocationAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(GetNextInvocation(cancellationToken));
        }
        catch (Exception exception)
        {
            return Task.FromException<InvocationRequest>(exception);
        }
    }

    /// <summary><see cref="PostInvocationResponse"/>; blocks the calling thread and returns a completed task.</summary>
    public Task PostInvocationResponseAsync(string awsRequestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        Completed(() => PostInvocationResponse(awsRequestId, payload.Span, cancellationToken));

    /// <summary><see cref="PostInvocationError"/>; blocks the calling thread and returns a completed task.</summary>
    public Task PostInvocationErrorAsync(string awsRequestId, LambdaError error, CancellationToken cancellationToken = default) =>
        Completed(() => PostInvocationError(awsRequestId, error, cancellationToken));

    /// <summary><see cref="PostInitError"/>; blocks the calling thread and returns a completed task.</summary>
    public Task PostInitErrorAsync(LambdaError error, CancellationToken cancellationToken = default) =>
        Completed(() => PostInitError(error, cancellationToken));

    public void Dispose() => _connection.Dispose();

    private static Task Completed(Action call)
    {
        try
        {
            call();
            return Task.CompletedTask;
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    private void Post(string first, string? awsRequestId, string? last, ReadOnlySpan<byte> body, string? errorType, bool thenNext, CancellationToken cancellationToken)
    {
        var id = awsRequestId is null ? null : Uri.EscapeDataString(awsRequestId);
        var type = errorType is null ? null : HeaderValue(errorType);
        int written;
        while (!(type is null
            ? Utf8.TryWrite(_head, CultureInfo.InvariantCulture,
                $"POST {Prefix}{first}{id}{last} HTTP/1.1\r\nHost: {_host}\r\nContent-Length: {body.Length}\r\n\r\n", out written)
            : Utf8.TryWrite(_head, CultureInfo.InvariantCulture,
                $"POST {Prefix}{first}{id}{last} HTTP/1.1\r\nHost: {_host}\r\nContent-Length: {body.Length}\r\nContent-Type: {RuntimeApiHeaders.ErrorContentType}\r\n{RuntimeApiHeaders.FunctionErrorType}: {type}\r\n\r\n", out written)))
        {
            _head = new byte[_head.Length * 2];
        }

        var response = _connection.Send(_head.AsSpan(0, written), body, keepBody: false, cancellationToken, thenNext ? _nextRequest : default);
        if (response.StatusCode is not (202 or 200))
        {
            throw Error($"{first}{id}{last}", response);
        }
    }

    /// <summary>An error type is the user's text: never let it end the header early.</summary>
    private static string HeaderValue(string value) =>
        value.AsSpan().IndexOfAny('\r', '\n') < 0 ? value : value.Replace('\r', ' ').Replace('\n', ' ');

    private static RuntimeApiException Error(string operation, RuntimeApiResponse response) =>
        new(operation, (HttpStatusCode)response.StatusCode, Encoding.UTF8.GetString(response.Body));

    private static Stream Connect(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (OperatingSystem.IsLinux())
        {
            // Straight from libc: no socket engine thread in the function (see LinuxSocketStream).
            address ??= Resolve(host);
            try
            {
                return LinuxSocketStream.Connect(address, port);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A libc without these exports: the portable path below.
            }
        }

        var socket = address is not null
            ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Requests are small and each waits for its answer: Nagle would only hold them back.
            socket.NoDelay = true;
            if (address is not null)
            {
                socket.Connect(address, port);
            }
            else
            {
                socket.Connect(host, port);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IPAddress Resolve(string host)
    {
        var addresses = Dns.GetHostAddresses(host);
        foreach (var candidate in addresses)
        {
            if (candidate.AddressFamily == AddressFamily.InterNetwork)
            {
                return candidate;
            }
        }

        return addresses.Length > 0 ? addresses[0] : throw new IOException($"{host} has no address");
    }

}
