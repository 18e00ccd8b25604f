using System.IO.Pipelines;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// A RESPONSE_STREAM URL: the function streams (awslambda.streamifyResponse) through InvokeWithResponseStream's
/// machinery (<see cref="ResponseStream"/>), and each piece is passed on to the caller as it arrives, in a chunked
/// response. A function that wraps its stream with <c>awslambda.HttpResponseStream.from(stream, metadata)</c> (content
/// type application/vnd.awslambda.http-integration-response) writes its statusCode, headers and cookies first, then
/// eight zero bytes, then the body, as AWS documents for function URLs; any other stream is a 200 with the function's
/// content type. A function that does not stream is answered as a BUFFERED URL answers (inferred).
/// </summary>
/// <remarks>
/// A failure before the first byte of the body is a 502, as for BUFFERED; once the head has gone, the response is
/// ended where the stream ended (inferred: AWS does not document what the caller sees then).
/// </remarks>
internal static class FunctionUrlStream
{
    private const string HttpIntegration = "application/vnd.awslambda.http-integration-response";

    /// <summary>The longest prelude read before its eight zero bytes: far above any real headers, below a body.</summary>
    private const int MaxPreludeBytes = 64 * 1024;

    public static async Task AnswerAsync(FunctionHost host, HttpContext context, FunctionUrlConfig config, Invocation invocation)
    {
        ResponseStream stream = new(host.Options.MaxStreamedResponseBytes);
        invocation.Stream = stream;
        Task<InvocationResult> running;
        try
        {
            running = host.InvokeAsync(config.FunctionName, invocation, context.RequestAborted);
            _ = running.ContinueWith(static (_, state) => ((ResponseStream)state!).Complete(), stream, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await Task.WhenAny(stream.Started, running).ConfigureAwait(false);
            if (!stream.Started.IsCompleted)
            {
                await InvokeFunctionUrl.AnswerAsync(context, config, await running.ConfigureAwait(false), invocation.RequestId, invocation.TraceId).ConfigureAwait(false);
                return;
            }
        }
        catch (LambdaException e)
        {
            await InvokeFunctionUrl.FailedAsync(context, e, invocation.RequestId).ConfigureAwait(false);
            return;
        }

        string contentType = await stream.Started.ConfigureAwait(false);
        bool callerGone = false;
        try
        {
            callerGone = !await StreamAsync(context, config, invocation, stream, contentType, running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            callerGone = true;
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted)
        {
            // Kestrel refused a header of the head as it was set: what was set of it goes, and the caller gets a 502.
            context.Response.Headers.Clear();
        }
        finally
        {
            // Always, or a function still writing would wait on a stream nobody reads until its timeout. The function
            // runs on to its end, as on Lambda; what it streams after the caller left (or after a 502) is dropped.
            stream.Complete();
        }

        _ = running.ContinueWith(static t => t.Result.SettleLog(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        if (!callerGone && !context.Response.HasStarted)
        {
            // The stream ended (or failed) before its prelude was whole: nothing of the function's answer is usable.
            await InvokeFunctionUrl.BadGatewayAsync(context, invocation.RequestId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Passes the stream on; false when the caller went away. Returns with the head unsent when the prelude never
    /// completed, or when the function failed before it wrote a byte.
    /// </summary>
    private static async Task<bool> StreamAsync(HttpContext context, FunctionUrlConfig config, Invocation invocation, ResponseStream stream, string contentType,
        Task<InvocationResult> running)
    {
        PipeWriter body = context.Response.BodyWriter;
        bool integration = contentType.StartsWith(HttpIntegration, StringComparison.OrdinalIgnoreCase);
        MemoryStream? prelude = integration ? new MemoryStream() : null;

        // A stream without a prelude: its head (200, the stream's content type) waits for the first byte of the body,
        // or for the end. A function that throws before it writes anything still opens a stream (the runtime carries
        // the error in its trailers, under its default content type): sent at once, that head was a 200 with an empty
        // body for a failed invocation, where a failure before the head is a 502 (AWS answers a function error 502).
        FunctionUrlResponse? rawHead = null;
        if (!integration)
        {
            rawHead = new FunctionUrlResponse();
            rawHead.Headers.Add(new("content-type", contentType));
        }

        while (await stream.Chunks.WaitToReadAsync(context.RequestAborted).ConfigureAwait(false))
        {
            while (stream.Chunks.TryRead(out ReadOnlyMemory<byte> piece))
            {
                if (prelude is not null)
                {
                    prelude.Write(piece.Span);
                    if (!TrySplitPrelude(prelude, out FunctionUrlResponse? head, out ReadOnlyMemory<byte> rest))
                    {
                        if (prelude.Length > MaxPreludeBytes)
                        {
                            return true;
                        }

                        continue;
                    }

                    if (head is null)
                    {
                        return true; // Not a valid prelude: a 502.
                    }

                    prelude = null;
                    InvokeFunctionUrl.WriteHead(context, head, config.Cors, invocation.RequestId, invocation.TraceId);
                    piece = rest;
                }
                else if (rawHead is not null)
                {
                    if (piece.IsEmpty)
                    {
                        continue;
                    }

                    InvokeFunctionUrl.WriteHead(context, rawHead, config.Cors, invocation.RequestId, invocation.TraceId);
                    rawHead = null;
                }

                if (!piece.IsEmpty && !HttpMethods.IsHead(context.Request.Method) && !FunctionUrlResponse.HasNoBody(context.Response.StatusCode))
                {
                    await body.WriteAsync(piece, context.RequestAborted).ConfigureAwait(false);
                }
            }

            // One flush per batch of pieces: each reaches the caller as soon as it has come in.
            if (prelude is null && rawHead is null && (await body.FlushAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted)
            {
                return false;
            }
        }

        if (rawHead is not null && !await FailedAsync(running).ConfigureAwait(false))
        {
            // The function ended its stream without a byte of body: the head alone, an empty 200 (flushed, so the
            // response has started and is not taken for one whose head never came).
            InvokeFunctionUrl.WriteHead(context, rawHead, config.Cors, invocation.RequestId, invocation.TraceId);
            return !(await body.FlushAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted;
        }

        return true;
    }

    /// <summary>
    /// True when the invocation failed (a function error, or it did not run). Called once the stream's pieces have
    /// ended: the runtime's response is then whole, and its result (a trailer's error included) follows at once.
    /// </summary>
    private static async Task<bool> FailedAsync(Task<InvocationResult> running)
    {
        try
        {
            return (await running.ConfigureAwait(false)).FunctionError is not null;
        }
        catch (LambdaException)
        {
            return true;
        }
    }

    /// <summary>
    /// True once the eight zero bytes have arrived: <paramref name="head"/> is the prelude's response (null when it is
    /// not valid JSON metadata) and <paramref name="rest"/> the body bytes that came with it.
    /// </summary>
    private static bool TrySplitPrelude(MemoryStream prelude, out FunctionUrlResponse? head, out ReadOnlyMemory<byte> rest)
    {
        ReadOnlySpan<byte> data = prelude.GetBuffer().AsSpan(0, (int)prelude.Length);
        int end = data.IndexOf("\0\0\0\0\0\0\0\0"u8);
        head = null;
        rest = default;
        if (end < 0)
        {
            return false;
        }

        head = FunctionUrlResponse.MapPrelude(data[..end]);
        rest = prelude.GetBuffer().AsMemory(end + 8, (int)prelude.Length - end - 8);
        return true;
    }
}
