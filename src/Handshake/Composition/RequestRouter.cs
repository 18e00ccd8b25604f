using Handshake.Dynamo.Protocol;
using Handshake.Network.Accounting;
using Microsoft.AspNetCore.Http;

namespace Handshake.Composition;

/// <summary>
/// The endpoint's single RequestDelegate. No routing framework: the store's throughput target is half of a bare
/// Kestrel endpoint, so a DynamoDB request (POST /) costs one accounting call and one path comparison here.
/// </summary>
internal sealed class RequestRouter(ConnectionLedger ledger, AdminEndpoint admin, DynamoHttpEndpoint store)
{
    public Task HandleAsync(HttpContext context)
    {
        ledger.OnRequest(context);
        HttpRequest request = context.Request;
        if (request.Path.Value is "/")
        {
            return store.HandleAsync(context);
        }

        if (AdminEndpoint.IsAdminRequest(request))
        {
            return admin.HandleAsync(context);
        }

        return store.HandleAsync(context);
    }
}
