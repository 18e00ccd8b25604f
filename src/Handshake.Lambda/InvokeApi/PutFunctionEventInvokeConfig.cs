using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2019-09-25/functions/{name}/event-invoke-config?Qualifier=: replaces the qualifier's asynchronous invocation
/// settings (what the request leaves out goes back to Lambda's default).
/// </summary>
internal static class PutFunctionEventInvokeConfig
{
    /// <summary>The body's members and their JSON types: Lambda's PutFunctionEventInvokeConfigRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(LambdaModelShapes.EventInvokeConfig);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(PutFunctionEventInvokeConfig), Input).ConfigureAwait(false);
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        EventInvokeConfigJson.Fields fields = EventInvokeConfigJson.Read(document.RootElement);
        host.CheckEventInvokeConfigTarget(name, qualifier, update: false);
        EventInvokeConfigJson.CheckDestinations(host, name, fields);
        EventInvokeConfig config = host.PutEventInvokeConfig(name, qualifier,
            _ => new EventInvokeConfig("", fields.MaximumRetryAttempts, fields.MaximumEventAgeInSeconds, fields.OnSuccess, fields.OnFailure, default),
            update: false);
        await JsonResponse.WriteAsync(context, 200, writer => EventInvokeConfigJson.Write(writer, host, name, config)).ConfigureAwait(false);
    }
}
