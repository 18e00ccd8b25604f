using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using static Handshake.Http.HttpResponseText;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// A Kestrel connection middleware that answers plain DynamoDB requests straight off the transport and leaves
/// everything else to Kestrel's HTTP layer. SDKs send nothing but `POST /` with a signed JSON body, and for those
/// Kestrel's request and response objects (feature collections, header dictionaries, the body pipes) cost about a
/// seventh of the store's CPU per request. Measured on the NativeAOT `handshake up`, three alternating pairs
/// (2026-11-27 04:19-04:23 UTC): PutItem at 32 connections 27.7-28.1 against 30.1-35.2 us of server CPU (41,876-44,359
/// against 36,420-41,430 requests/s), GetItem 22.2-22.6 against 26.0-27.7 us.
/// </summary>
/// <remarks>
/// A request is answered here only when nothing about it needs more than the store's wire protocol: the request line
/// `POST / HTTP/1.1`; a Host, an X-Amz-Target and a Content-Length of at most 64 KB; a JSON or absent Content-Type;
/// `Connection: keep-alive` or none; no Transfer-Encoding, Expect, Origin (CORS) or Upgrade; ASCII headers; and no
/// signature to verify (<c>--auth strict</c>). The first request that is anything else hands the connection, from that
/// request on, to Kestrel, which answers it and the rest exactly as before: HTTP/1.1 keeps no state between requests,
/// and nothing of that request has been consumed. Idle connections close after the server's keep-alive timeout and
/// when the server stops, as Kestrel's do.
/// </remarks>
public sealed class DynamoConnection
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxRequestBytes = MaxHeadBytes + 4 + MaxBodyBytes;
    private const string TargetPrefix = "DynamoDB_20120810.";

    private readonly Func<DynamoHttpEndpoint?> _endpoint;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly Action<IFeatureCollection, string?>? _onRequest;

    private DynamoConnection(Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout, Action<IFeatureCollection, string?>? onRequest)
    {
        _endpoint = endpoint;
        _keepAliveTimeout = keepAliveTimeout;
        _onRequest = onRequest;
    }

    /// <summary>
    /// The middleware, for <c>ListenOptions.Use</c> on a plain-HTTP listener (after connection accounting).
    /// <paramref name="endpoint"/> is read per connection (the composition creates the store's endpoint after Kestrel is
    /// configured); <paramref name="onRequest"/> sees each request answered here with its Authorization header, as
    /// connection accounting sees requests through Kestrel.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(
        Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout, Action<IFeatureCollection, string?>? onRequest = null)
    {
        DynamoConnection handler = new(endpoint, keepAliveTimeout, onRequest);
        return next => connection => handler.RunAsync(connection, next);
    }

    private async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        DynamoHttpEndpoint? endpoint = _endpoint();
        if (endpoint is null || endpoint.VerifiesSignatures)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        Idle idle = new(input, _keepAliveTimeout);
        CancellationToken stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        // One registration per connection, not per request: stopping the server ends the wait for the next request.
        using CancellationTokenRegistration onStop = stopping.UnsafeRegister(static state => ((Idle)state!).Close(), idle);
        Idle.Watch(idle);
        bool unflushed = false;
        // Part of a request has arrived: the wait for the rest is bounded as Kestrel bounds a request's head (30 s),
        // not by the keep-alive timeout, which is for the wait between requests.
        bool partial = false;
        try
        {
            while (true)
            {
                if (!input.TryRead(out ReadResult result))
                {
                    if (unflushed)
                    {
                        unflushed = false;
                        await output.FlushAsync().ConfigureAwait(false);
                    }

                    idle.Waiting(partial);
                    result = await input.ReadAsync().ConfigureAwait(false);
                    if (!result.IsCanceled)
                    {
                        idle.Active();
                    }
                }

                if (result.IsCanceled)
                {
                    input.AdvanceTo(result.Buffer.Start);
                    if (!stopping.IsCancellationRequested && !idle.Expired)
                    {
                        // The heartbeat looked while a read had completed but not yet run (a busy thread pool): the
                        // connection was not idle after all.
                        continue;
                    }

                    // The keep-alive timeout, or the server stopping: the connection closes, as Kestrel closes it,
                    // after the answers already written.
                    await output.FlushAsync().ConfigureAwait(false);
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                Parsed parsed = Parse(buffer, out byte[]? body);
                if (parsed.Outcome == Outcome.NeedMore)
                {
                    if (result.IsCompleted)
                    {
                        // Closed between requests, or in the middle of one that nothing can answer; a client that
                        // only shut down its sending side still gets the answers already written.
                        input.AdvanceTo(buffer.End);
                        await output.FlushAsync().ConfigureAwait(false);
                        return;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    partial = !buffer.IsEmpty;
                    continue;
                }

                if (parsed.Outcome == Outcome.HandOver)
                {
                    // Nothing of this request is consumed: Kestrel reads it from the start.
                    input.AdvanceTo(buffer.Start);
                    if (unflushed)
                    {
                        await output.FlushAsync().ConfigureAwait(false);
                    }

                    Idle.Forget(idle);
                    await next(connection).ConfigureAwait(false);
                    return;
                }

                input.AdvanceTo(buffer.GetPosition(parsed.Length));
                partial = false;
                await AnswerAsync(endpoint, connection, output, parsed, body!).ConfigureAwait(false);
                unflushed = true;
            }
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or ConnectionResetException or ObjectDisposedException)
        {
            // The client went away, or the server aborted the connection while stopping.
        }
        finally
        {
            Idle.Forget(idle);
        }
    }

    private async ValueTask AnswerAsync(DynamoHttpEndpoint endpoint, ConnectionContext connection, PipeWriter output, Parsed request, byte[] body)
    {
        long started = Stopwatch.GetTimestamp();
        string? operation = request.Target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? request.Target[TargetPrefix.Length..] : null;
        // The metric tag takes only known operation names: a client's arbitrary target must not grow its cardinality.
        string metricOperation = operation is not null && OperationRouter.IsKnown(operation) ? operation : "Unknown";
        _onRequest?.Invoke(connection.Features, request.Authorization);
        ResponseBuffer response = ResponseBuffer.Rent();
        try
        {
            int status = await endpoint.ExecuteAsync(operation, request.Authorization, null, body.AsMemory(0, request.BodyLength), response).ConfigureAwait(false);
            WriteResponse(output, status, response.Written.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
            ResponseBuffer.Return(response);
            DynamoMetrics.RecordRequest(metricOperation, started);
        }
    }

    // The same headers Kestrel sends for the store's answers (no Server header): Content-Type, Date, Content-Length,
    // x-amzn-RequestId and x-amz-crc32, the CRC32 of the exact body bytes.
    private static void WriteResponse(PipeWriter output, int status, ReadOnlySpan<byte> body)
    {
        output.Write("HTTP/1.1 "u8);
        WriteNumber(output, status);
        output.Write(" "u8);
        WriteAscii(output, ReasonPhrases.GetReasonPhrase(status));
        output.Write("\r\nContent-Type: application/x-amz-json-1.0\r\n"u8);
        output.Write(DateLine());
        output.Write("x-amzn-RequestId: "u8);
        WriteAscii(output, RequestIds.Next());
        output.Write("\r\nx-amz-crc32: "u8);
        WriteNumber(output, Crc32.HashToUInt32(body));
        output.Write("\r\nContent-Length: "u8);
        WriteNumber(output, body.Length);
        output.Write("\r\n\r\n"u8);
        output.Write(body);
    }

    /// <summary>
    /// Finds one whole request at the start of <paramref name="buffer"/> that this class may answer, and copies its
    /// body into a pooled array; or says that more bytes are needed, or that Kestrel must take the connection.
    /// </summary>
    private static Parsed Parse(ReadOnlySequence<byte> buffer, out byte[]? body)
    {
        body = null;
        byte[]? joined = null;
        ReadOnlySpan<byte> data;
        if (buffer.IsSingleSegment)
        {
            data = buffer.FirstSpan;
        }
        else
        {
            // A request that straddles the pipe's segments: parse a copy of as much as a request can be.
            int length = (int)Math.Min(buffer.Length, MaxRequestBytes);
            joined = ArrayPool<byte>.Shared.Rent(length);
            buffer.Slice(0, length).CopyTo(joined);
            data = joined.AsSpan(0, length);
        }

        try
        {
            Parsed parsed = ParseHead(data);
            if (parsed.Outcome == Outcome.Answer)
            {
                if (data.Length < parsed.Length)
                {
                    return new Parsed(Outcome.NeedMore);
                }

                body = ArrayPool<byte>.Shared.Rent(Math.Max(parsed.BodyLength, 1));
                data.Slice(parsed.Length - parsed.BodyLength, parsed.BodyLength).CopyTo(body);
            }

            return parsed;
        }
        finally
        {
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }
    }

    private static Parsed ParseHead(ReadOnlySpan<byte> data)
    {
        int headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 || headEnd > MaxHeadBytes)
        {
            return new Parsed(headEnd > MaxHeadBytes || data.Length > MaxHeadBytes ? Outcome.HandOver : Outcome.NeedMore);
        }

        ReadOnlySpan<byte> head = data[..headEnd];
        if (!head.StartsWith("POST / HTTP/1.1\r\n"u8) || !Ascii.IsValid(head))
        {
            return new Parsed(Outcome.HandOver);
        }

        string? target = null;
        string? authorization = null;
        long contentLength = -1;
        bool host = false;
        ReadOnlySpan<byte> rest = head["POST / HTTP/1.1\r\n".Length..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            // No colon, a name ending in whitespace or a folded line: Kestrel decides what such a request gets.
            if (colon <= 0 || line[colon - 1] is (byte)' ' or (byte)'\t' || line[0] is (byte)' ' or (byte)'\t')
            {
                return new Parsed(Outcome.HandOver);
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "x-amz-target"u8))
            {
                if (target is not null)
                {
                    return new Parsed(Outcome.HandOver);
                }

                target = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (contentLength >= 0 || !Utf8Parser.TryParse(value, out contentLength, out int used) || used != value.Length || contentLength < 0)
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "authorization"u8))
            {
                if (authorization is not null)
                {
                    return new Parsed(Outcome.HandOver);
                }

                authorization = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                host = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-type"u8))
            {
                if (!IsJsonContentType(value))
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                {
                    return new Parsed(Outcome.HandOver);
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) || Ascii.EqualsIgnoreCase(name, "expect"u8)
                || Ascii.EqualsIgnoreCase(name, "origin"u8) || Ascii.EqualsIgnoreCase(name, "upgrade"u8))
            {
                return new Parsed(Outcome.HandOver);
            }
        }

        if (!host || target is null || contentLength < 0 || contentLength > MaxBodyBytes)
        {
            return new Parsed(Outcome.HandOver);
        }

        int bodyLength = (int)contentLength;
        return new Parsed(Outcome.Answer, headEnd + 4 + bodyLength, bodyLength, target, authorization);
    }

    private static bool IsJsonContentType(ReadOnlySpan<byte> value)
    {
        Span<char> chars = stackalloc char[128];
        return value.Length <= chars.Length && Ascii.ToUtf16(value, chars, out int written) == OperationStatus.Done
            && DynamoHttpEndpoint.IsJsonContentType(chars[..written]);
    }

    /// <summary>
    /// A connection's wait for its next request, watched by one timer for all connections (as Kestrel watches keep-alive
    /// with a heartbeat): per request only a timestamp is written. A CancellationTokenSource per wait (CancelAfter, then
    /// TryReset) cost two timer-queue updates per request and took back most of the gain.
    /// </summary>
    private sealed class Idle(PipeReader input, TimeSpan timeout)
    {
        private static readonly HashSet<Idle> Watched = [];
        private static Timer? _heartbeat;

        private static readonly long RequestTimeoutTicks = 30 * Stopwatch.Frequency;

        private readonly long _keepAliveTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        private long _timeoutTicks;
        private long _waitingSince;
        private long _activeAt = Stopwatch.GetTimestamp();

        /// <summary>No bytes have come for longer than the timeout: what a cancelled read must confirm before closing.</summary>
        public bool Expired => Stopwatch.GetTimestamp() - Volatile.Read(ref _activeAt) > Volatile.Read(ref _timeoutTicks);

        /// <summary>A wait begins: for the next request (the keep-alive timeout), or for the rest of one (30 s).</summary>
        public void Waiting(bool partial)
        {
            Volatile.Write(ref _timeoutTicks, partial ? Math.Max(RequestTimeoutTicks, _keepAliveTicks) : _keepAliveTicks);
            Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
        }

        public void Active()
        {
            Volatile.Write(ref _activeAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref _waitingSince, 0);
        }

        /// <summary>Ends the current or next wait: the read completes as cancelled, and the connection closes.</summary>
        public void Close() => input.CancelPendingRead();

        public static void Watch(Idle idle)
        {
            lock (Watched)
            {
                Watched.Add(idle);
                _heartbeat ??= new Timer(static _ => Beat(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            }
        }

        public static void Forget(Idle idle)
        {
            lock (Watched)
            {
                Watched.Remove(idle);
            }
        }

        private static void Beat()
        {
            long now = Stopwatch.GetTimestamp();
            lock (Watched)
            {
                foreach (Idle idle in Watched)
                {
                    long since = Volatile.Read(ref idle._waitingSince);
                    if (since != 0 && now - since > Volatile.Read(ref idle._timeoutTicks))
                    {
                        idle.Close();
                    }
                }
            }
        }
    }

    private enum Outcome
    {
        NeedMore,
        HandOver,
        Answer,
    }

    /// <summary>What the head says; for <see cref="Outcome.Answer"/>, the request's whole length (head and body).</summary>
    private readonly record struct Parsed(Outcome Outcome, int Length = 0, int BodyLength = 0, string Target = "", string? Authorization = null);
}
