using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2017-03-31/tags/{ARN}: {"Tags": {...}} of a function or an event source mapping, empty when it has none.</summary>
internal static class ListTags
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string arn)
    {
        TaggedResource resource = FunctionTags.Resolve(host, arn);
        IReadOnlyDictionary<string, string> tags = resource.Function is { } function
            ? host.ListTags(function)
            : host.EventSourceMappings.ListTags(resource.MappingUuid!);
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            FunctionTags.Write(writer, tags);
            writer.WriteEndObject();
        });
    }
}
