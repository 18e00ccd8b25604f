using System.Text.Json;

namespace Handshake.Lambda;

/// <summary>
/// An accepted Event (asynchronous) invocation on its way to completion: what is needed to run it again, and how far
/// it got. Kept in the host's state database from before the 202 until it finishes (see FunctionHost.EventQueue.cs),
/// as one JSON document under its <see cref="Key"/>.
/// </summary>
internal sealed class QueuedEvent
{
    public QueuedEvent(string key, string functionName, Invocation invocation, DateTimeOffset accepted)
    {
        Key = key;
        FunctionName = functionName;
        RequestId = invocation.RequestId;
        Payload = invocation.Payload;
        Qualifier = invocation.Qualifier;
        ClientContext = invocation.ClientContext;
        CognitoIdentity = invocation.CognitoIdentity;
        TraceId = invocation.TraceId;
        DestinationHops = invocation.DestinationHops;
        Accepted = accepted;
    }

    /// <summary>
    /// The document's key: a version 7 GUID (unique, and roughly in acceptance order, which helps reading the file; no
    /// delivery order is promised, as Lambda promises none for Event invocations). Not the request id: a caller of
    /// <see cref="FunctionHost.InvokeEvent"/> may reuse one.
    /// </summary>
    public string Key { get; }

    public string FunctionName { get; }

    public string RequestId { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public string? Qualifier { get; }

    public string? ClientContext { get; }

    public string? CognitoIdentity { get; }

    public string TraceId { get; }

    public int DestinationHops { get; }

    /// <summary>When the 202 was given: MaximumEventAgeInSeconds counts from here, across restarts.</summary>
    public DateTimeOffset Accepted { get; }

    /// <summary>Attempts whose outcome is known. One cut short by the host's stop is not counted: it runs again.</summary>
    public int Attempts { get; set; }

    /// <summary>The last counted attempt's answer, for the OnFailure record of an event that expires while waiting.</summary>
    public InvocationResult? Last { get; set; }

    /// <summary>When the next attempt is due, while a retry waits; null when it may run at once.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>A fresh invocation for the next attempt: the same request id, payload and context, as Lambda retries.</summary>
    public Invocation NextAttempt() => new(RequestId, Payload)
    {
        Qualifier = Qualifier,
        ClientContext = ClientContext,
        CognitoIdentity = CognitoIdentity,
        TraceId = TraceId,
        DestinationHops = DestinationHops,
    };

    public string ToJson()
    {
        return Persistence.LambdaStateDatabase.Document(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("FunctionName", FunctionName);
            WriteIfSet(writer, "Qualifier", Qualifier);
            writer.WriteString("RequestId", RequestId);
            writer.WriteBase64String("Payload", Payload.Span);
            writer.WriteNumber("AcceptedUnixMs", Accepted.ToUnixTimeMilliseconds());
            writer.WriteNumber("Attempts", Attempts);
            if (RetryAt is { } retryAt)
            {
                writer.WriteNumber("RetryAtUnixMs", retryAt.ToUnixTimeMilliseconds());
            }

            WriteIfSet(writer, "ClientContext", ClientContext);
            WriteIfSet(writer, "CognitoIdentity", CognitoIdentity);
            writer.WriteString("TraceId", TraceId);
            writer.WriteNumber("DestinationHops", DestinationHops);
            if (Last is { } last)
            {
                writer.WriteStartObject("LastResult");
                writer.WriteBase64String("Payload", last.Payload.Span);
                WriteIfSet(writer, "FunctionError", last.FunctionError);
                WriteIfSet(writer, "ErrorType", last.ErrorType);
                writer.WriteString("ExecutedVersion", last.ExecutedVersion);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
    }

    /// <exception cref="JsonException">Not a document <see cref="ToJson"/> wrote.</exception>
    public static QueuedEvent FromJson(string key, string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            Invocation invocation = new(root.GetProperty("RequestId").GetString()!, root.GetProperty("Payload").GetBytesFromBase64())
            {
                Qualifier = OptionalString(root, "Qualifier"),
                ClientContext = OptionalString(root, "ClientContext"),
                CognitoIdentity = OptionalString(root, "CognitoIdentity"),
                TraceId = OptionalString(root, "TraceId") ?? "",
                DestinationHops = root.GetProperty("DestinationHops").GetInt32(),
            };
            QueuedEvent queued = new(key, root.GetProperty("FunctionName").GetString()!, invocation,
                DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("AcceptedUnixMs").GetInt64()))
            {
                Attempts = root.GetProperty("Attempts").GetInt32(),
                RetryAt = root.TryGetProperty("RetryAtUnixMs", out JsonElement retryAt) ? DateTimeOffset.FromUnixTimeMilliseconds(retryAt.GetInt64()) : null,
            };
            if (root.TryGetProperty("LastResult", out JsonElement last))
            {
                queued.Last = new InvocationResult
                {
                    Payload = last.GetProperty("Payload").GetBytesFromBase64(),
                    FunctionError = OptionalString(last, "FunctionError"),
                    ErrorType = OptionalString(last, "ErrorType"),
                    ExecutedVersion = last.GetProperty("ExecutedVersion").GetString()!,
                };
            }

            return queued;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new JsonException($"not a queued Event invocation: {e.Message}", e);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
