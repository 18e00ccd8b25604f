using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2015-03-31/functions/{name}/policy/{sid}?Qualifier=&amp;RevisionId=: removes one statement; 204.</summary>
internal static class RemovePermission
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string sid, string? qualifier)
    {
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        string? revisionId = context.Request.Query["RevisionId"].ToString() is { Length: > 0 } r ? r : null;
        host.ChangePolicy(name, qualifier, policy =>
        {
            if (policy.Count == 0)
            {
                throw new LambdaException(404, "ResourceNotFoundException", "No policy is associated with the given resource.");
            }

            if (revisionId is not null && revisionId != policy.RevisionId)
            {
                throw LambdaException.PolicyPreconditionFailed();
            }

            if (!policy.Remove(sid))
            {
                throw new LambdaException(404, "ResourceNotFoundException", $"Statement {sid} is not found in resource policy.");
            }
        });
        return JsonResponse.NoContent(context);
    }
}
