using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2020-06-30/functions/{name}/code-signing-config. The host has no code signing configurations, so no function
/// has one: the answer is <c>{}</c>, as Lambda answers for a function without one (LocalStack's AWS-validated
/// behaviour). Deploy tools read it on every refresh: Terraform's aws_lambda_function fails its read without it.
/// </summary>
internal static class GetFunctionCodeSigningConfig
{
    public static Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        LambdaHttpEndpoint.Find(host, name, null);
        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        });
    }
}
