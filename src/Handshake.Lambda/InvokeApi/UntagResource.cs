using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>DELETE /2017-03-31/tags/{ARN}?tagKeys=K&amp;tagKeys=K: removes those tags (absent ones are no error); 204.</summary>
internal static class UntagResource
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string arn)
    {
        string[] keys = [.. context.Request.Query["tagKeys"].Where(k => k is not null).Select(k => k!)];
        if (keys.Length == 0)
        {
            throw LambdaException.Validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        }

        TaggedResource resource = FunctionTags.Resolve(host, arn);
        if (resource.Function is { } function)
        {
            host.UntagFunction(function, keys);
        }
        else
        {
            host.EventSourceMappings.Untag(resource.MappingUuid!, keys);
        }

        return JsonResponse.NoContent(context);
    }
}
