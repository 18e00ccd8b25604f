using System.Buffers;
using System.Diagnostics;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// The DynamoDB wire protocol over HTTP: POST / with <c>X-Amz-Target: DynamoDB_20120810.Operation</c> and a JSON body,
/// GET / as the health check, and DynamoDB-shaped 4xx answers for everything malformed. Every response carries
/// <c>x-amzn-RequestId</c> and <c>x-amz-crc32</c>, the CRC32 of the exact body bytes sent (aws-sdk v2 verifies it).
/// This is the single seam between the network and the store: one method, any host can mount it.
/// </summary>
public sealed class DynamoHttpEndpoint
{
    /// <summary>DynamoDB's request limit; larger bodies are refused before they are read.</summary>
    public const int MaxRequestBytes = 16 * 1024 * 1024;

    private const string TargetPrefix = "DynamoDB_20120810.";

    /// <summary>DynamoDB Streams' target prefix: its operations are answered on the same endpoint, as DynamoDB Local does.</summary>
    private const string StreamsTargetPrefix = "DynamoDBStreams_20120810.";
    private const string JsonContentType = "application/x-amz-json-1.0";
    private static readonly byte[] UnknownOperationXml = "<UnknownOperationException/>\n"u8.ToArray();

    private readonly DynamoStore _store;
    private readonly byte[] _healthBody;

    public DynamoHttpEndpoint(DynamoStore store)
    {
        _store = store;
        _healthBody = Encoding.UTF8.GetBytes("healthy: dynamodb." + store.Options.Region + ".amazonaws.com");
    }

    /// <summary>
    /// Verifies a request's signature once its body is read (SigV4 signs the payload's hash); returns the error to send,
    /// or null to accept. The composition sets it for <c>--auth strict</c>; without it any Authorization that starts
    /// with AWS4- is accepted, as DynamoDB Local does.
    /// </summary>
    public Func<HttpRequest, ReadOnlyMemory<byte>, DynamoException?>? Authenticator { get; init; }

    /// <summary>
    /// Another AWS JSON service answered on this endpoint (the composition puts CloudWatch Logs' <c>Logs_20140328.*</c>
    /// here): given an X-Amz-Target that is neither DynamoDB's nor Streams', the handler that answers the whole request,
    /// or null to answer it as DynamoDB does (UnknownOperationException). Asked only for such targets, so a DynamoDB
    /// request costs nothing more. The store knows nothing of these services.
    /// </summary>
    public Func<string, Func<HttpContext, Task>?>? OtherServices { get; init; }

    /// <summary>True when <see cref="OtherServices"/> answers this target: the event loop then leaves the request to Kestrel.</summary>
    internal bool AnswersElsewhere(string? target) => target is not null && OtherServices?.Invoke(target) is not null;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = RequestIds.Next();

        if (HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0)
        {
            WriteCorsPreflight(request, response);
            return;
        }
        if (request.Headers.Origin.Count > 0) response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsGet(request.Method) && request.Path == "/")
        {
            await SendAsync(response, 200, "text/plain", _healthBody).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            await SendAsync(response, 404, "text/plain", UnknownOperationXml).ConfigureAwait(false);
            return;
        }
        // Read once: X-Amz-Target is not one of Kestrel's known headers, so each read is a case-insensitive lookup.
        string? target = TargetOperation(request);
        // Not DynamoDB's nor Streams': another service on this endpoint may answer it (the raw header is read again
        // only then, never for a DynamoDB request).
        if (target is null && OtherServices is { } others && request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } rawTarget
            && others(rawTarget) is { } other)
        {
            await other(context).ConfigureAwait(false);
            return;
        }
        if (request.ContentLength > MaxRequestBytes)
        {
            await SendErrorAsync(response, new DynamoException(DynamoErrorCode.RequestEntityTooLarge,
                "Request must be smaller than " + MaxRequestBytes + " bytes for the " + target + " operation")).ConfigureAwait(false);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        string metricOperation = MetricTag(target);
        byte[]? body = null;
        int length = 0;
        var buffer = ResponseBuffer.Rent();
        try
        {
            (body, length) = await ReadBodyAsync(request.BodyReader, request.ContentLength).ConfigureAwait(false);
            if (body is null)
            {
                await SendErrorAsync(response, new DynamoException(DynamoErrorCode.RequestEntityTooLarge,
                    "Request must be smaller than " + MaxRequestBytes + " bytes")).ConfigureAwait(false);
                return;
            }
            // A body declared in another content type is not a DynamoDB request at all: AWS answers as for a wrong
            // method. A body with no Content-Type is read as JSON (hand-written clients often omit it).
            if (length > 0 && request.ContentType is { } contentType && !IsJsonContentType(contentType))
            {
                await SendAsync(response, 404, "text/plain", UnknownOperationXml).ConfigureAwait(false);
                return;
            }
            int status = await ExecuteAsync(target, request.Headers.Authorization, request, body.AsMemory(0, length), buffer).ConfigureAwait(false);
            await SendAsync(response, status, JsonContentType, buffer.Written).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel refused the body while we read it: a chunked body past MaxRequestBodySize (413; a declared
            // Content-Length past it is refused above) or a malformed chunked framing (400). That is bad input, not a
            // bug, so it gets a client error in DynamoDB's shape, never the retryable 500 below, which SDKs resend.
            await SendErrorAsync(response, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new DynamoException(DynamoErrorCode.RequestEntityTooLarge, "Request must be smaller than " + MaxRequestBytes + " bytes for the " + target + " operation")
                : DynamoException.Serialization(null)).ConfigureAwait(false);
        }
        catch (Exception) when (!response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // A bug, not bad input: still answer in DynamoDB's shape (a retryable 500) rather than drop the connection.
            await SendErrorAsync(response, new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error")).ConfigureAwait(false);
        }
        finally
        {
            if (body is not null) ArrayPool<byte>.Shared.Return(body);
            ResponseBuffer.Return(buffer);
            DynamoMetrics.RecordRequest(metricOperation, started);
        }
    }

    internal DynamoStore Store => _store;

    /// <summary>True under <c>--auth strict</c>: requests must then be read through Kestrel, whose headers SigV4 checks.</summary>
    internal bool VerifiesSignatures => Authenticator is not null;

    /// <summary>
    /// One POST / whose body has been read, for either way a request arrives (Kestrel's HTTP layer or
    /// <see cref="DynamoEventLoop"/>): checks the envelope, runs the operation, and leaves in <paramref name="response"/>
    /// the body to send, the operation's answer or DynamoDB's error document. Returns the status code. Never throws.
    /// </summary>
    /// <param name="operation">The X-Amz-Target after <c>DynamoDB_20120810.</c>, or null when the header is missing or other.</param>
    /// <param name="signedRequest">The request for <see cref="Authenticator"/>; null when no signature is verified.</param>
    internal async ValueTask<int> ExecuteAsync(string? operation, string? authorization, HttpRequest? signedRequest, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        try
        {
            CheckEnvelope(operation, authorization, signedRequest, body);
            try
            {
                await OperationRouter.ExecuteAsync(operation!, _store, body, response).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                throw DynamoException.Serialization(null);
            }
            catch (InvalidOperationException e) when (e.StackTrace?.Contains("System.Text.Json.", StringComparison.Ordinal) == true)
            {
                // The reader refuses a name or string it cannot transcode (an escaped lone surrogate, "\ud800"): the
                // body is not valid input, as for malformed JSON.
                throw DynamoException.Serialization(null);
            }
            return 200;
        }
        catch (DynamoException e)
        {
            return WriteError(response, e);
        }
        catch (ObjectDisposedException)
        {
            // The store is shutting down under this request: tell the client to retry elsewhere, never hang.
            return WriteError(response, new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error"));
        }
        catch (Exception)
        {
            // A bug, not bad input: still answer in DynamoDB's shape (a retryable 500) rather than drop the connection.
            return WriteError(response, new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error"));
        }
    }

    /// <summary>Replaces whatever the operation wrote with DynamoDB's error document; returns the error's status.</summary>
    internal static int WriteError(ResponseBuffer buffer, DynamoException error)
    {
        buffer.Reset();
        var w = buffer.Writer;
        w.WriteStartObject();
        w.WriteString("__type"u8, DynamoErrorCode.WireType(error.Code));
        if (error.WireMessage is not null) w.WriteString(DynamoErrorCode.MessageMember(error.Code), error.WireMessage);
        error.WriteExtraMembers?.Invoke(w);
        w.WriteEndObject();
        return DynamoErrorCode.HttpStatus(error.Code);
    }

    private static string? TargetOperation(HttpRequest request) => OperationOf(request.Headers["X-Amz-Target"]);

    /// <summary>
    /// The operation an X-Amz-Target names: after <c>DynamoDB_20120810.</c>, or the whole target for DynamoDB Streams
    /// (<c>DynamoDBStreams_20120810.GetRecords</c>), so that each service knows only its own operations. Null for a
    /// missing or other target. A DynamoDB operation name never holds a dot, so <c>DynamoDB_20120810.DynamoDBStreams_...</c>
    /// cannot reach a Streams operation.
    /// </summary>
    internal static string? OperationOf(string? target) =>
        target is null ? null
        : target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? (target.IndexOf('.', TargetPrefix.Length) < 0 ? target[TargetPrefix.Length..] : null)
        : target.StartsWith(StreamsTargetPrefix, StringComparison.Ordinal) ? target
        : null;

    /// <summary>The metric tag takes only known operation names: a client's arbitrary target must not grow its cardinality.</summary>
    internal static string MetricTag(string? operation) =>
        operation is not null && OperationRouter.IsKnown(operation) ? operation : "Unknown";

    // The order of these checks is AWS's: an unknown target beats a missing signature, which beats an empty body.
    private void CheckEnvelope(string? operation, string? authorization, HttpRequest? signedRequest, ReadOnlyMemory<byte> body)
    {
        int length = body.Length;
        if (operation is null || !OperationRouter.IsKnown(operation))
            throw new DynamoException(DynamoErrorCode.UnknownOperationException, null);
        if (string.IsNullOrWhiteSpace(authorization) || !authorization.TrimStart().StartsWith("AWS4-", StringComparison.Ordinal))
            throw new DynamoException(DynamoErrorCode.MissingAuthenticationTokenException, "Request is missing Authentication Token");
        if (Authenticator is { } authenticate)
        {
            // Fail closed: under --auth strict a request is accepted only once its signature is verified (the event loop
            // leaves strict servers' requests to Kestrel, so the request is always there).
            if (signedRequest is null) throw new InvalidOperationException("A signature to verify without its request");
            if (authenticate(signedRequest, body) is { } rejected) throw rejected;
        }
        if (length == 0) throw DynamoException.Serialization(null);
        // The JSON reader checks UTF-8 only in the strings it decodes; members an operation ignores would let invalid
        // bytes through. AWS's parser refuses the whole body, and the check is one vectorised pass.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span)) throw DynamoException.Serialization(null);
    }

    internal static bool IsJsonContentType(ReadOnlySpan<char> mediaType)
    {
        int semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0) mediaType = mediaType[..semicolon];
        mediaType = mediaType.Trim();
        return mediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static async ValueTask<(byte[]? Body, int Length)> ReadBodyAsync(PipeReader reader, long? contentLength)
    {
        byte[] body = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and <= MaxRequestBytes ? (int)contentLength.Value : 4096);
        int length = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync().ConfigureAwait(false);
            }
            catch (IOException e) when (e is not BadHttpRequestException && e is not ConnectionResetException)
            {
                // Kestrel refuses a chunk size past int's range with a bare IOException, not the BadHttpRequestException
                // of every other framing error (found by HttpFramingFuzzTests): bad input, a 400, not the retryable 500.
                ArrayPool<byte>.Shared.Return(body);
                throw new BadHttpRequestException("The request body's framing is invalid.", StatusCodes.Status400BadRequest, e);
            }

            var data = result.Buffer;
            if (length + data.Length > MaxRequestBytes)
            {
                reader.AdvanceTo(data.End);
                ArrayPool<byte>.Shared.Return(body);
                return (null, 0);
            }
            if (length + data.Length > body.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Max(body.Length * 2L, length + data.Length));
                body.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(body);
                body = larger;
            }
            data.CopyTo(body.AsSpan(length));
            length += (int)data.Length;
            reader.AdvanceTo(data.End);
            if (result.IsCompleted || result.IsCanceled) return (body, length);
        }
    }

    private static Task SendErrorAsync(HttpResponse response, DynamoException error)
    {
        var buffer = ResponseBuffer.Rent();
        try
        {
            int status = WriteError(buffer, error);
            // Copy out: the buffer returns to the pool before the send completes.
            var body = buffer.Written.ToArray();
            return SendAsync(response, status, JsonContentType, body);
        }
        finally
        {
            ResponseBuffer.Return(buffer);
        }
    }

    private static Task SendAsync(HttpResponse response, int status, string contentType, ReadOnlyMemory<byte> body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        response.Headers["x-amz-crc32"] = Crc32.HashToUInt32(body.Span).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return response.Body.WriteAsync(body).AsTask();
    }

    private static void WriteCorsPreflight(HttpRequest request, HttpResponse response)
    {
        response.Headers.AccessControlAllowOrigin = "*";
        if (request.Headers.AccessControlRequestHeaders.Count > 0)
            response.Headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
        if (request.Headers.AccessControlRequestMethod.Count > 0)
            response.Headers.AccessControlAllowMethods = request.Headers.AccessControlRequestMethod;
        response.Headers.AccessControlMaxAge = "172800";
        response.Headers["x-amz-crc32"] = "0";
        response.StatusCode = 200;
        response.ContentLength = 0;
    }
}
