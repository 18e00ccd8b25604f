using Handshake.Dynamo.Protocol;
using Handshake.Lambda.InvokeApi;
using Handshake.Lambda.LogsApi;
using Handshake.Network.Accounting;
using Microsoft.AspNetCore.Http;

namespace Handshake.Composition;

/// <summary>
/// The endpoint's single RequestDelegate. No routing framework: the store's throughput target is half of a bare
/// Kestrel endpoint, so a DynamoDB request (POST /) costs one accounting call, one search of its Host (function URLs) and one path
/// comparison here.
/// </summary>
internal sealed class RequestRouter(ConnectionLedger ledger, AdminEndpoint admin, DynamoHttpEndpoint store)
{
    /// <summary>Set once the function host runs; it needs the endpoint's bound port first.</summary>
    public LambdaHttpEndpoint? Lambda { get; set; }

    /// <summary>The CloudWatch Logs API over the functions' logs; set with <see cref="Lambda"/>.</summary>
    public CloudWatchLogsEndpoint? CloudWatchLogs { get; set; }

    /// <summary>Under <c>--auth strict</c>: the checks of the Lambda API and the admin routes (the store checks its own).</summary>
    public StrictAuthentication? Strict { get; init; }

    public Task HandleAsync(HttpContext context)
    {
        ledger.OnRequest(context);
        HttpRequest request = context.Request;
        // First, since a function URL's request may be POST / too: one search of the (known) Host header.
        if (LambdaHttpEndpoint.IsFunctionUrlRequest(request))
        {
            return Lambda is { } urls ? urls.HandleFunctionUrlAsync(context) : NotReadyAsync(context);
        }

        if (request.Path.Value is "/")
        {
            return store.HandleAsync(context);
        }

        if (LambdaHttpEndpoint.IsLambdaRequest(request))
        {
            return Strict is { } strict ? AuthorizedAsync(context, strict.AuthorizeLambdaAsync, HandleLambdaAsync) : HandleLambdaAsync(context);
        }

        if (request.Path.StartsWithSegments(LogsPath, StringComparison.Ordinal))
        {
            return Strict is { } strict ? AuthorizedAsync(context, strict.AuthorizeAdminAsync, HandleLogsAsync) : HandleLogsAsync(context);
        }

        if (AdminEndpoint.IsAdminRequest(request))
        {
            return Strict is { } strict ? AuthorizedAsync(context, strict.AuthorizeAdminAsync, admin.HandleAsync) : admin.HandleAsync(context);
        }

        return store.HandleAsync(context);
    }

    private static async Task AuthorizedAsync(HttpContext context, Func<HttpContext, Task<bool>> authorize, Func<HttpContext, Task> next)
    {
        if (await authorize(context).ConfigureAwait(false))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the store hands over for a target that is not DynamoDB's (DynamoHttpEndpoint.OtherServices): CloudWatch Logs'
    /// operations come here, everything else stays the store's to refuse.
    /// </summary>
    public Func<HttpContext, Task>? OtherService(string target) =>
        CloudWatchLogsEndpoint.IsLogsTarget(target) ? _handleCloudWatchLogs ??= HandleCloudWatchLogsAsync : null;

    private Func<HttpContext, Task>? _handleCloudWatchLogs;

    private Task HandleCloudWatchLogsAsync(HttpContext context) =>
        Strict is { } strict ? AuthorizedAsync(context, strict.AuthorizeLogsAsync, ServeCloudWatchLogsAsync) : ServeCloudWatchLogsAsync(context);

    private Task ServeCloudWatchLogsAsync(HttpContext context) => CloudWatchLogs is { } logs ? logs.HandleAsync(context) : NotReadyAsync(context);

    private Task HandleLambdaAsync(HttpContext context) => Lambda is { } lambda ? lambda.HandleAsync(context) : NotReadyAsync(context);

    private Task HandleLogsAsync(HttpContext context) => Lambda is { } lambda ? lambda.HandleLogsAsync(context) : NotReadyAsync(context);

    private const string LogsPath = "/_handshake/logs";

    private static Task NotReadyAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return Task.CompletedTask;
    }
}
