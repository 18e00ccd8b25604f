using System.Text.Json;

namespace Handshake.Runtime.Client;

/// <summary>
/// Lambda's error shape, <c>{"errorMessage","errorType","stackTrace"}</c>, as every official runtime posts it to
/// <c>/invocation/{id}/error</c> and <c>/init/error</c>. Written with Utf8JsonWriter so it needs no reflection.
/// </summary>
public sealed class LambdaError
{
    public LambdaError(string errorType, string errorMessage, IReadOnlyList<string> stackTrace)
    {
        ErrorType = errorType;
        ErrorMessage = errorMessage;
        StackTrace = stackTrace;
    }

    public string ErrorType { get; }
    public string ErrorMessage { get; }
    public IReadOnlyList<string> StackTrace { get; }

    /// <summary>The error for an exception: its type's simple name, as Lambda's .NET runtime reports it.</summary>
    public static LambdaError FromException(Exception exception)
    {
        // Unwrap the wrappers that only say "it happened inside a task", so the user sees their own exception.
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        var lines = new List<string>();
        foreach (var line in (exception.StackTrace ?? string.Empty).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
            {
                lines.Add(trimmed);
            }
        }

        return new LambdaError(exception.GetType().Name, exception.Message, lines);
    }

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", ErrorMessage);
            writer.WriteString("errorType", ErrorType);
            writer.WriteStartArray("stackTrace");
            foreach (var line in StackTrace)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
