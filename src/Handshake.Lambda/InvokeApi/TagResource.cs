using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>POST /2017-03-31/tags/{ARN} {"Tags": {...}}: adds or replaces a function's or an event source mapping's tags; 204.</summary>
internal static class TagResource
{
    /// <summary>The body's members and their JSON types: Lambda's TagResourceRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(("Tags", RequestShape.StringMap));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string arn)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(TagResource), Input).ConfigureAwait(false);
        Dictionary<string, string> tags = FunctionTags.Read(document.RootElement)
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
        TaggedResource resource = FunctionTags.Resolve(host, arn);
        if (resource.Function is { } function)
        {
            host.TagFunction(function, tags);
        }
        else if (!host.EventSourceMappings.Tag(resource.MappingUuid!, tags, FunctionHost.MaxTagsPerFunction))
        {
            throw LambdaException.InvalidParameter("Number of tags exceeds resource tag limit.");
        }

        await JsonResponse.NoContent(context).ConfigureAwait(false);
    }
}
