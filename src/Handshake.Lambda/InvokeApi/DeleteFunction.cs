using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// DELETE /2015-03-31/functions/{name}: 204; its environments are shut down. With a Qualifier (a version number, in
/// the parameter or the name), only that version goes; $LATEST and a version an alias points to cannot.
/// </summary>
internal static class DeleteFunction
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name, string? qualifier)
    {
        string functionName = LambdaHttpEndpoint.Resolve(host, name, ref qualifier);
        if (qualifier is not null)
        {
            host.DeleteVersion(functionName, qualifier);
            return JsonResponse.NoContent(context);
        }

        host.DeleteFunction(LambdaHttpEndpoint.Find(host, name, null).Name);
        return JsonResponse.NoContent(context);
    }
}
