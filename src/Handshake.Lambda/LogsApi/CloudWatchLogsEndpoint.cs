using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// The CloudWatch Logs API over the functions' logs (reading them, the log groups' settings, and writing streams and
/// events), on the shared endpoint: awsJson1_1, <c>POST /</c>
/// with <c>X-Amz-Target: Logs_20140328.Operation</c>, so that `aws logs`, boto3's logs client and the SDKs read a
/// function's log group <c>/aws/lambda/NAME</c> as from CloudWatch. The store hands these requests here
/// (DynamoHttpEndpoint.OtherServices); every error is answered in CloudWatch's shape, never as a 500.
/// </summary>
public sealed class CloudWatchLogsEndpoint(FunctionHost host)
{
    public const string TargetPrefix = "Logs_20140328.";

    private const string ContentType = "application/x-amz-json-1.1";

    /// <summary>CloudWatch Logs' request bodies are small (a read request is a few names and numbers); larger ones are refused unread (PutLogEvents' excepted).</summary>
    private const int MaxRequestBytes = 1024 * 1024;

    /// <summary>
    /// Log messages are the functions' own text: written as CloudWatch writes them (quotes, &lt;, &gt;, non-ASCII as
    /// they are), not with the default encoder's \u0027 escapes, which are valid JSON but not what `aws logs` prints.
    /// The same options as Lambda's own answers.
    /// </summary>
    private static JsonWriterOptions WriterOptions => InvokeApi.LambdaErrorWriter.WriterOptions;

    /// <summary>True for a target of CloudWatch Logs' API (any operation: the ones not implemented are answered UnknownOperationException).</summary>
    public static bool IsLogsTarget(string target) => target.StartsWith(TargetPrefix, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        string target = context.Request.Headers["X-Amz-Target"].ToString();
        try
        {
            using MemoryStream buffer = new();
            using (Utf8JsonWriter writer = new(buffer, WriterOptions))
            {
                await ExecuteAsync(target[TargetPrefix.Length..], context, writer).ConfigureAwait(false);
            }

            await SendAsync(context, 200, buffer).ConfigureAwait(false);
        }
        catch (LogsException e) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException) when (!context.Response.HasStarted)
        {
            // Kestrel could not read the body (cut off, or over its limit).
            await WriteErrorAsync(context, LogsException.Serialization()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (ObjectDisposedException) when (host.IsStopping && !context.Response.HasStarted)
        {
            await WriteErrorAsync(context, new LogsException("ServiceUnavailableException", "The function host is stopping.", 503)).ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsync(string operation, HttpContext context, Utf8JsonWriter writer)
    {
        Func<FunctionHost, LogsRequest, Utf8JsonWriter, CancellationToken, Task> run = operation switch
        {
            "DescribeLogGroups" => DescribeLogGroups.ExecuteAsync,
            "DescribeLogStreams" => DescribeLogStreams.ExecuteAsync,
            "GetLogEvents" => GetLogEvents.ExecuteAsync,
            "FilterLogEvents" => FilterLogEvents.ExecuteAsync,
            // The groups' settings, as Terraform's aws_cloudwatch_log_group and `aws logs` manage them.
            "CreateLogGroup" => CreateLogGroup.ExecuteAsync,
            "DeleteLogGroup" => DeleteLogGroup.ExecuteAsync,
            "PutRetentionPolicy" => PutRetentionPolicy.ExecuteAsync,
            "DeleteRetentionPolicy" => DeleteRetentionPolicy.ExecuteAsync,
            "TagResource" => TagResource.ExecuteAsync,
            "UntagResource" => UntagResource.ExecuteAsync,
            "ListTagsForResource" => ListTagsForResource.ExecuteAsync,
            "TagLogGroup" => TagLogGroup.ExecuteAsync,
            "UntagLogGroup" => UntagLogGroup.ExecuteAsync,
            "ListTagsLogGroup" => ListTagsLogGroup.ExecuteAsync,
            "AssociateKmsKey" => AssociateKmsKey.ExecuteAsync,
            "DisassociateKmsKey" => DisassociateKmsKey.ExecuteAsync,
            // Writing events: into any group that exists, a function's too, beside the lines its environments write.
            "CreateLogStream" => CreateLogStream.ExecuteAsync,
            "DeleteLogStream" => DeleteLogStream.ExecuteAsync,
            "PutLogEvents" => PutLogEvents.ExecuteAsync,
            // Metric and subscription filters, queries and the rest are not served.
            _ => throw LogsException.UnknownOperation(),
        };

        // A batch of events may be 1 MB of messages, and more as JSON: read far enough to answer CloudWatch's own
        // "Upload too large" rather than refuse it unread.
        int limit = operation == "PutLogEvents" ? PutLogEvents.MaxRequestBytes : MaxRequestBytes;
        byte[] body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false)
            ?? throw new LogsException("SerializationException", null, 413);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw LogsException.Serialization();
        }

        using (document)
        {
            try
            {
                await run(host, LogsRequest.Parse(document), writer, context.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (e.StackTrace?.Contains("System.Text.Json.", StringComparison.Ordinal) == true)
            {
                // A string the reader cannot transcode (an escaped lone surrogate): not valid input, as for malformed JSON.
                throw LogsException.Serialization();
            }
        }
    }

    private static Task WriteErrorAsync(HttpContext context, LogsException error)
    {
        MemoryStream buffer = new();
        context.Response.RegisterForDispose(buffer);
        using (Utf8JsonWriter writer = new(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", error.WireType);
            if (error.WireMessage is { } message)
            {
                writer.WriteString("message", message);
            }

            writer.WriteEndObject();
        }

        context.Response.Headers["x-amzn-ErrorType"] = error.Code;
        return SendAsync(context, error.Status, buffer);
    }

    private static Task SendAsync(HttpContext context, int status, MemoryStream buffer)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }
}
