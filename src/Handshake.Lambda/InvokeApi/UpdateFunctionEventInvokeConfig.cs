using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2019-09-25/functions/{name}/event-invoke-config?Qualifier=: changes only the settings the request gives (a
/// DestinationConfig replaces both destinations); the qualifier must already have settings.
/// </summary>
internal static class UpdateFunctionEventInvokeConfig
{
    /// <summary>The body's members and their JSON types: Lambda's UpdateFunctionEventInvokeConfigRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(LambdaModelShapes.EventInvokeConfig);

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateFunctionEventInvokeConfig), Input).ConfigureAwait(false);
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        EventInvokeConfigJson.Fields fields = EventInvokeConfigJson.Read(document.RootElement);
        host.CheckEventInvokeConfigTarget(name, qualifier, update: true);
        EventInvokeConfigJson.CheckDestinations(host, name, fields);
        EventInvokeConfig config = host.PutEventInvokeConfig(name, qualifier, current => current! with
        {
            MaximumRetryAttempts = fields.MaximumRetryAttempts ?? current.MaximumRetryAttempts,
            MaximumEventAgeInSeconds = fields.MaximumEventAgeInSeconds ?? current.MaximumEventAgeInSeconds,
            OnSuccess = fields.HasDestinations ? fields.OnSuccess : current.OnSuccess,
            OnFailure = fields.HasDestinations ? fields.OnFailure : current.OnFailure,
        }, update: true);
        await JsonResponse.WriteAsync(context, 200, writer => EventInvokeConfigJson.Write(writer, host, name, config)).ConfigureAwait(false);
    }
}
