using Handshake.Dynamo.Protocol;
using Handshake.Lambda.InvokeApi;
using Handshake.Network.Accounting;
using Microsoft.AspNetCore.Http;

namespace Handshake.Composition;

/// <summary>
/// The endpoint's single RequestDelegate. No routing framework: the store's throughput target is half of a bare
/// Kestrel endpoint, so a DynamoDB request (POST /) costs one accounting call and one path comparison here.
/// </summary>
internal sealed class RequestRouter(ConnectionLedger ledger, AdminEndpoint admin, DynamoHttpEndpoint store)
{
    /// <summary>Set once the function host runs; it needs the endpoint's bound port first.</summary>
    public LambdaHttpEndpoint? Lambda { get; set; }

    public Task HandleAsync(HttpContext context)
    {
        ledger.OnRequest(context);
        HttpRequest request = context.Request;
        if (request.Path.Value is "/")
        {
            return store.HandleAsync(context);
        }

        if (LambdaHttpEndpoint.IsLambdaRequest(request))
        {
            return Lambda is { } lambda ? lambda.HandleAsync(context) : NotReadyAsync(context);
        }

        if (request.Path.StartsWithSegments(LogsPath, StringComparison.Ordinal))
        {
            return Lambda is { } lambda ? lambda.HandleLogsAsync(context) : NotReadyAsync(context);
        }

        if (AdminEndpoint.IsAdminRequest(request))
        {
            return admin.HandleAsync(context);
        }

        return store.HandleAsync(context);
    }

    private const string LogsPath = "/_handshake/logs";

    private static Task NotReadyAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return Task.CompletedTask;
    }
}
