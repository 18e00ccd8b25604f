using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2021-11-15/functions/{name}/response-streaming-invocations: RequestResponse answers 200 with an event stream
/// (application/vnd.amazon.eventstream framing) of PayloadChunk events, each passed on as the runtime's chunk arrives,
/// and one InvokeComplete (ErrorCode, ErrorDetails, LogResult) at the end; DryRun answers 204. The HTTP Content-Type
/// is the function's (the SDKs read it as ResponseStreamContentType). A function that answers buffered (it does not
/// stream) gets its whole payload as one PayloadChunk. Errors before the stream starts (unknown function, bad
/// parameters, 429) are Lambda's usual REST-JSON errors.
/// </summary>
internal static class InvokeWithResponseStream
{
    public static async Task HandleAsync(FunctionHost host, HttpContext context, string functionName, string? qualifier)
    {
        HttpRequest request = context.Request;
        string invocationType = request.Headers["X-Amz-Invocation-Type"].ToString();
        if (invocationType.Length == 0)
        {
            invocationType = "RequestResponse";
        }

        if (invocationType is not ("RequestResponse" or "DryRun"))
        {
            // The model's own enum for this operation (ResponseStreamingInvocationType): no Event.
            throw LambdaException.Validation($"1 validation error detected: Value '{invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]");
        }

        string logType = request.Headers["X-Amz-Log-Type"].ToString();
        Invoke.CheckLogType(logType);
        host.CheckQualifier(functionName, qualifier);

        byte[] payload = await RequestBody.ReadAsync(request, Invoke.MaxSyncPayloadBytes, context.RequestAborted).ConfigureAwait(false)
            ?? throw new LambdaException(413, "RequestTooLargeException", $"Request must be smaller than {Invoke.MaxSyncPayloadBytes} bytes for the InvokeWithResponseStream operation");
        payload = Invoke.FunctionPayload(payload);

        string requestId = Guid.NewGuid().ToString();
        HttpResponse response = context.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        if (invocationType == "DryRun")
        {
            response.StatusCode = 204;
            return;
        }

        Invocation invocation = Invoke.NewInvocation(host, requestId, payload, qualifier, invocationType, logType, request.Headers["X-Amz-Client-Context"].ToString());
        ResponseStream stream = new(host.Options.MaxStreamedResponseBytes);
        invocation.Stream = stream;
        invocation.Authorization = request.Headers.Authorization.ToString();

        // Throws (before anything is written) for a throttle or a function deleted meanwhile: Lambda's error answers.
        Task<InvocationResult> running = host.InvokeAsync(functionName, invocation, context.RequestAborted);
        // However the invocation ends (the stream's end, a timeout, a crash), the reader below stops waiting for pieces.
        _ = running.ContinueWith(static (_, state) => ((ResponseStream)state!).Complete(), stream, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await Task.WhenAny(stream.Started, running).ConfigureAwait(false);
        if (!stream.Started.IsCompleted)
        {
            await AnswerBufferedAsync(context, invocation, await running.ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        await AnswerStreamedAsync(context, invocation, stream, await stream.Started.ConfigureAwait(false), running).ConfigureAwait(false);
    }

    /// <summary>The function answered buffered: its payload as one PayloadChunk (none for an error), then InvokeComplete.</summary>
    private static async Task AnswerBufferedAsync(HttpContext context, Invocation invocation, InvocationResult result)
    {
        try
        {
            StartResponse(context, invocation, result.ExecutedVersion, "application/json");
            PipeWriter body = context.Response.BodyWriter;
            if (result.FunctionError is null && !result.Payload.IsEmpty)
            {
                EventStreamMessage.WriteEvent(body, "PayloadChunk", "application/octet-stream", result.Payload.Span);
            }

            WriteInvokeComplete(body, result);
            await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            result.SettleLog();
        }
    }

    private static async Task AnswerStreamedAsync(HttpContext context, Invocation invocation, ResponseStream stream, string contentType, Task<InvocationResult> running)
    {
        StartResponse(context, invocation, invocation.ExecutedVersion, contentType);
        PipeWriter body = context.Response.BodyWriter;
        bool callerGone = false;
        try
        {
            // The head leaves now: the caller knows the stream has started before the first piece.
            callerGone = (await body.FlushAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted;
            while (!callerGone && await stream.Chunks.WaitToReadAsync(context.RequestAborted).ConfigureAwait(false))
            {
                while (stream.Chunks.TryRead(out ReadOnlyMemory<byte> piece))
                {
                    EventStreamMessage.WriteEvent(body, "PayloadChunk", "application/octet-stream", piece.Span);
                }

                // One flush per batch of pieces: each reaches the caller as soon as it has come in.
                callerGone = (await body.FlushAsync(context.RequestAborted).ConfigureAwait(false)).IsCompleted;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            callerGone = true;
        }

        if (callerGone)
        {
            // The function runs on to its end, as on Lambda; what it streams from now on is dropped.
            stream.Complete();
            _ = running.ContinueWith(static t => t.Result.SettleLog(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return;
        }

        InvocationResult result = await running.ConfigureAwait(false);
        try
        {
            WriteInvokeComplete(body, result);
            await body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            result.SettleLog();
        }
    }

    private static void StartResponse(HttpContext context, Invocation invocation, string executedVersion, string contentType)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        // The function's content type, not the event stream's: the SDKs read this header as ResponseStreamContentType.
        response.ContentType = contentType;
        response.Headers["X-Amz-Executed-Version"] = executedVersion;
        response.Headers["X-Amzn-Trace-Id"] = invocation.TraceId;
    }

    /// <summary>
    /// The last event. On an error, ErrorCode is the error's type (what the runtime reported, or the host's own such
    /// as Sandbox.Timedout) and ErrorDetails the error payload a buffered Invoke would have answered (inferred: AWS
    /// documents only the members).
    /// </summary>
    private static void WriteInvokeComplete(PipeWriter body, InvocationResult result)
    {
        using MemoryStream json = new();
        // ErrorDetails is JSON inside a JSON string: escaped as AWS escapes it (\" rather than \u0022), as every other
        // Lambda error body here is (LambdaErrorWriter).
        using (Utf8JsonWriter writer = new(json, LambdaErrorWriter.WriterOptions))
        {
            writer.WriteStartObject();
            if (result.FunctionError is not null)
            {
                writer.WriteString("ErrorCode", result.ErrorType ?? result.FunctionError);
                writer.WriteString("ErrorDetails", System.Text.Encoding.UTF8.GetString(result.Payload.Span));
            }

            if (result.LogResult is not null)
            {
                writer.WriteString("LogResult", result.LogResult);
            }

            writer.WriteEndObject();
        }

        EventStreamMessage.WriteEvent(body, "InvokeComplete", "application/json", json.GetBuffer().AsSpan(0, (int)json.Length));
    }
}
