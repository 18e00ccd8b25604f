using System.Net;
using System.Text.Json;
using Handshake.Network.SigV4;
using Microsoft.AspNetCore.Http;

namespace Handshake.Composition;

/// <summary>
/// <c>--auth strict</c> for the routes that are not the store's. The Lambda API is verified as Lambda does it: SigV4
/// scoped to service <c>lambda</c>, the same checks as the store's, refused in Lambda's REST-JSON shape (403,
/// <c>x-amzn-ErrorType</c>, a body <c>{"message":...}</c> with no <c>__type</c>). The admin routes (<c>/_handshake/*</c>,
/// <c>/metrics</c>) answer loopback peers unsigned, as they bind where the store binds: that keeps `handshake logs`,
/// `handshake connections` and a local Prometheus working; a peer from any other address (reachable only with
/// <c>--host</c>) must sign with a known key, for any service name.
/// </summary>
internal sealed class StrictAuthentication(Func<string, SigV4Credentials?> credentials, TimeProvider clock)
{
    private readonly SigV4Verifier _lambda = new(credentials, "lambda", clock);
    private readonly SigV4Verifier _admin = new(credentials, service: null, clock);
    private readonly SigV4Verifier _logs = new(credentials, "logs", clock);

    /// <summary>True when the request may go on; otherwise Lambda's error has been written.</summary>
    public Task<bool> AuthorizeLambdaAsync(HttpContext context) => AuthorizeAsync(context, _lambda);

    /// <summary>
    /// An AWS_IAM function URL's check: the signer's access key when the request is signed for service lambda by a
    /// known key, otherwise null (the URL answers 403, as AWS does, whatever the signature's fault).
    /// </summary>
    public string? AuthorizeFunctionUrl(HttpRequest request, ReadOnlySpan<byte> body) =>
        _lambda.Verify(request, body) is null ? Handshake.Lambda.InvokeApi.LambdaHttpEndpoint.SignatureAccessKey(request) : null;

    /// <summary>
    /// The CloudWatch Logs API: SigV4 scoped to service <c>logs</c>, refused as CloudWatch Logs' JSON front end refuses
    /// (the store's statuses and words, with <c>__type</c> in the body as awsJson1_1 clients read it).
    /// </summary>
    public Task<bool> AuthorizeLogsAsync(HttpContext context) => AuthorizeAsync(context, _logs, awsJson: true);

    /// <summary>True when the request may go on; otherwise the refusal has been written.</summary>
    public Task<bool> AuthorizeAdminAsync(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer) ? Task.FromResult(true) : AuthorizeAsync(context, _admin);

    private static async Task<bool> AuthorizeAsync(HttpContext context, SigV4Verifier verifier, bool awsJson = false)
    {
        // The signature covers the body's hash, so the body is read here and handed on from memory.
        HttpRequest request = context.Request;
        MemoryStream body = new(request.ContentLength is > 0 and <= int.MaxValue ? (int)request.ContentLength.Value : 0);
        context.Response.RegisterForDispose(body);
        try
        {
            await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "RequestTooLargeException" : "InvalidRequestContentException",
                e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request must be smaller than the endpoint's limit of 16777216 bytes" : "Could not read the request body.").ConfigureAwait(false);
            return false;
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel refuses a chunk size past int's range with a bare IOException, not a BadHttpRequestException
            // (found by HttpFramingFuzzTests): as unreadable as any other malformed body, not a 500.
            await WriteAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", "Could not read the request body.").ConfigureAwait(false);
            return false;
        }

        body.Position = 0;
        request.Body = body;
        if (verifier.Verify(request, body.GetBuffer().AsSpan(0, (int)body.Length)) is not { } failure)
        {
            return true;
        }

        if (awsJson)
        {
            // The JSON services' front end (DynamoDB's and CloudWatch Logs' alike): the store's words and statuses.
            await WriteAsync(context, Handshake.Dynamo.Protocol.DynamoErrorCode.HttpStatus(failure.Code), failure.Code, failure.Message, awsJson).ConfigureAwait(false);
            return false;
        }

        // Lambda's front end says "Missing Authentication Token" where DynamoDB says "Request is missing ...".
        string message = failure.Code == SigV4Failure.MissingAuthenticationTokenException ? "Missing Authentication Token" : failure.Message;
        await WriteAsync(context, StatusCodes.Status403Forbidden, failure.Code, message).ConfigureAwait(false);
        return false;
    }

    private static async Task WriteAsync(HttpContext context, int status, string type, string message, bool awsJson = false)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = awsJson ? "application/x-amz-json-1.1" : "application/json";
        response.Headers["x-amzn-ErrorType"] = type;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        using MemoryStream buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            if (awsJson)
            {
                writer.WriteString("__type", type);
            }

            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
