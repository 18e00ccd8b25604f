using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// FunctionEventInvokeConfig on the wire: the request's settings (checked as Lambda checks them) and the answer's
/// shape (LastModified in epoch seconds, the qualified FunctionArn, DestinationConfig with both members always there).
/// </summary>
internal static partial class EventInvokeConfigJson
{
    /// <summary>The settings a Put or Update request gives; null members were not in the request.</summary>
    public sealed record Fields(int? MaximumRetryAttempts, int? MaximumEventAgeInSeconds, bool HasDestinations, string? OnSuccess, string? OnFailure);

    /// <exception cref="LambdaException">
    /// ValidationException (ranges); InvalidParameterValueException for a request with none of the settings.
    /// </exception>
    public static Fields Read(JsonElement body)
    {
        int? retries = JsonResponse.Int(body, "MaximumRetryAttempts", 0, 2);
        int? maxAge = JsonResponse.Int(body, "MaximumEventAgeInSeconds", 60, 21600);
        bool hasDestinations = body.TryGetProperty("DestinationConfig", out JsonElement destinations) && destinations.ValueKind == JsonValueKind.Object;
        if (retries is null && maxAge is null && !hasDestinations)
        {
            throw LambdaException.InvalidParameter("You must specify at least one of error handling or destination setting.");
        }

        string? onSuccess = hasDestinations ? Destination(destinations, "OnSuccess") : null;
        string? onFailure = hasDestinations ? Destination(destinations, "OnFailure") : null;
        return new Fields(retries, maxAge, hasDestinations, onSuccess, onFailure);
    }

    /// <summary>Checked after the function and qualifier are known to exist, as Lambda orders its answers.</summary>
    /// <exception cref="LambdaException">
    /// ValidationException (the destination ARN pattern); InvalidParameterValueException for a destination function
    /// that does not exist or is the function itself, and a destination Handshake cannot deliver to.
    /// </exception>
    public static void CheckDestinations(FunctionHost host, string functionName, Fields fields)
    {
        CheckDestination(host, functionName, fields.OnSuccess, "onSuccess", fields.OnSuccess, fields.OnFailure);
        CheckDestination(host, functionName, fields.OnFailure, "onFailure", fields.OnSuccess, fields.OnFailure);
    }

    public static void Write(Utf8JsonWriter writer, FunctionHost host, string functionName, EventInvokeConfig config)
    {
        writer.WriteStartObject();
        writer.WriteNumber("LastModified", config.LastModified.ToUnixTimeMilliseconds() / 1000.0);
        writer.WriteString("FunctionArn", host.Arn(functionName) + ":" + config.Qualifier);
        if (config.MaximumRetryAttempts is { } retries)
        {
            writer.WriteNumber("MaximumRetryAttempts", retries);
        }

        if (config.MaximumEventAgeInSeconds is { } age)
        {
            writer.WriteNumber("MaximumEventAgeInSeconds", age);
        }

        writer.WriteStartObject("DestinationConfig");
        WriteDestination(writer, "OnSuccess", config.OnSuccess);
        WriteDestination(writer, "OnFailure", config.OnFailure);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteDestination(Utf8JsonWriter writer, string member, string? destination)
    {
        writer.WriteStartObject(member);
        if (destination is not null)
        {
            writer.WriteString("Destination", destination);
        }

        writer.WriteEndObject();
    }

    /// <summary>The Destination of OnSuccess or OnFailure; an empty string, like an absent one, is no destination.</summary>
    private static string? Destination(JsonElement destinations, string member) =>
        destinations.TryGetProperty(member, out JsonElement on) && on.ValueKind == JsonValueKind.Object
            && JsonResponse.String(on, "Destination") is { Length: > 0 } arn
            ? arn
            : null;

    private static void CheckDestination(FunctionHost host, string functionName, string? arn, string member, string? onSuccess, string? onFailure)
    {
        if (arn is null)
        {
            return;
        }

        if (!DestinationArn().IsMatch(arn))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{arn}' at 'destinationConfig.{member}.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{{2}}((-gov)|(-iso(b?)))?-[a-z]+-\\d{{1}})?:(\\d{{12}})?:(.*)");
        }

        string service = arn.Split(':')[2];
        switch (service)
        {
            case "lambda":
                if (!FunctionName.TryParse(arn, out string target, out string? qualifier, out string? region, out string? account)
                    || region != host.Options.Region || account != host.Options.AccountId
                    || !host.TryGetFunction(target, out _)
                    || (qualifier is not null && qualifier != FunctionDefinition.LatestVersion && !host.TryGetVersion(target, qualifier)))
                {
                    throw LambdaException.InvalidParameter($"The destination ARN {arn} is invalid.");
                }

                if (target == functionName)
                {
                    throw LambdaException.InvalidParameter("You can't specify the function as a destination for itself.");
                }

                return;
            case "sqs" or "sns" or "events" or "s3":
                // AWS accepts these; Handshake has no queue, topic, bus or bucket to deliver to, and says so rather
                // than accept a destination that would never receive a record (README, "Asynchronous invocation").
                throw LambdaException.InvalidParameter($"Handshake delivers invocation records to Lambda functions only; {arn} cannot be a destination here.");
            default:
                throw LambdaException.InvalidParameter(
                    $"The provided destination config DestinationConfig(onSuccess={(onSuccess is null ? "null" : $"OnSuccess(destination={onSuccess})")}, onFailure={(onFailure is null ? "null" : $"OnFailure(destination={onFailure})")}) is invalid.");
        }
    }

    [GeneratedRegex(@"^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$")]
    private static partial Regex DestinationArn();
}
