using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2015-03-31/functions/{name}/policy?Qualifier=: {"Policy": "<document as a string>", "RevisionId": "..."}.</summary>
internal static class GetPolicy
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        (string document, string revisionId) = host.GetPolicy(name, qualifier)
            ?? throw new LambdaException(404, "ResourceNotFoundException", "The resource you requested does not exist.");
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("Policy", document);
            writer.WriteString("RevisionId", revisionId);
            writer.WriteEndObject();
        });
    }
}
