using System.Text.Json;
using Handshake.Lambda.EventSources;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2015-03-31/event-source-mappings/: 202 with the mapping, State Creating (Enabled a moment later). DynamoDB
/// streams only. Checked in Lambda's order: the event source, the model's ranges, the starting position, the function,
/// the stream, then a mapping of the same stream and function.
/// </summary>
internal static class CreateEventSourceMapping
{
    /// <summary>
    /// The body's members and their JSON types: Lambda's CreateEventSourceMappingRequest, the members
    /// UpdateEventSourceMapping shares and the ones only a new mapping takes.
    /// </summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
    [
        .. LambdaModelShapes.EventSourceMapping,
        ("EventSourceArn", RequestShape.String), ("StartingPosition", RequestShape.String),
        ("StartingPositionTimestamp", RequestShape.Timestamp), ("Tags", RequestShape.StringMap), ("Topics", RequestShape.StringList),
        ("Queues", RequestShape.StringList),
        ("SelfManagedEventSource", RequestShape.Structure(("Endpoints", RequestShape.Map(RequestShape.StringList)))),
    ]);

    public static async Task HandleAsync(FunctionHost host, HttpContext context)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(CreateEventSourceMapping), Input).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string functionName = JsonResponse.String(body, "FunctionName")
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
        string arn = JsonResponse.String(body, "EventSourceArn")
            ?? throw LambdaException.InvalidParameter("Unrecognized event source.");
        if (!IsDynamoDbStreamArn(arn))
        {
            throw LambdaException.InvalidParameter(arn.StartsWith("arn:aws:dynamodb:", StringComparison.Ordinal)
                ? "Unrecognized event source, must be kinesis, dynamodb stream or sqs."
                : $"Handshake maps DynamoDB streams only; {arn} is not one.");
        }

        string startingPosition = JsonResponse.String(body, "StartingPosition")
            ?? throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
        if (startingPosition is not ("LATEST" or "TRIM_HORIZON" or "AT_TIMESTAMP"))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{startingPosition}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]");
        }

        if (startingPosition == "AT_TIMESTAMP")
        {
            // Kinesis only: DynamoDB Streams has no AT_TIMESTAMP iterator.
            throw LambdaException.InvalidParameter($"Unsupported starting position for arn type: {arn}");
        }

        EventSourceMappingSettings settings = EventSourceMappingFields.Apply(host, body, new EventSourceMappingSettings { FunctionName = "" });
        Dictionary<string, string> tags = FunctionTags.Read(body) ?? [];
        long position = host.EventSourceMappings.Feed?.StartingPosition(arn, latest: startingPosition == "LATEST")
            ?? throw LambdaException.InvalidParameter($"Stream not found: {arn}");
        EventSourceMappingView created = host.EventSourceMappings.Create(arn, startingPosition, position, settings, tags);
        await JsonResponse.WriteAsync(context, 202, writer => EventSourceMappingJson.Write(writer, host, created)).ConfigureAwait(false);
    }

    /// <summary>arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL</summary>
    private static bool IsDynamoDbStreamArn(string arn) =>
        arn.StartsWith("arn:aws:dynamodb:", StringComparison.Ordinal) && arn.Contains(":table/", StringComparison.Ordinal)
        && arn.Contains("/stream/", StringComparison.Ordinal);
}
