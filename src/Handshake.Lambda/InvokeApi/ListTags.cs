using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>GET /2017-03-31/tags/{ARN}: {"Tags": {...}}, empty for a function without tags.</summary>
internal static class ListTags
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string arn)
    {
        IReadOnlyDictionary<string, string> tags = host.ListTags(FunctionTags.FunctionFromArn(host, arn));
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            FunctionTags.Write(writer, tags);
            writer.WriteEndObject();
        });
    }
}
