using System.Text.Json;

namespace Handshake.Runtime.Client;

/// <summary>
/// Lambda's error shape as AWS's .NET runtime (Amazon.Lambda.RuntimeSupport) posts it to <c>/invocation/{id}/error</c>
/// and <c>/init/error</c>: <c>{"errorType","errorMessage","stackTrace":[...]}</c>, an exception's inner exception
/// nested under <c>"cause"</c> (the same shape, recursively) and an <see cref="AggregateException"/>'s inner exceptions
/// under <c>"causes"</c>. <c>stackTrace</c> is left out when there is none (an exception that was never thrown).
/// Written with Utf8JsonWriter so it needs no reflection.
/// </summary>
public sealed class LambdaError
{
    /// <summary>AWS's .NET runtime caps the error document at 256 KB and posts <see cref="TruncatedMessage"/> instead.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The errorMessage of the document posted instead of one over <see cref="MaxBytes"/>, as AWS words it.</summary>
    public const string TruncatedMessage = "Exception exceeded maximum payload size of 256KB.";

    public LambdaError(string errorType, string errorMessage, IReadOnlyList<string> stackTrace)
    {
        ErrorType = errorType;
        ErrorMessage = errorMessage;
        StackTrace = stackTrace;
    }

    public string ErrorType { get; }
    public string ErrorMessage { get; }
    public IReadOnlyList<string> StackTrace { get; }

    /// <summary>The inner exception's error (<c>"cause"</c>), if any.</summary>
    public LambdaError? Cause { get; init; }

    /// <summary>An aggregate's inner exceptions' errors (<c>"causes"</c>); empty otherwise.</summary>
    public IReadOnlyList<LambdaError> Causes { get; init; } = [];

    /// <summary>
    /// The error for an exception, as AWS's .NET runtime reports it: its type's simple name, its message, its stack
    /// trace one frame per line, and its inner exceptions nested. An <see cref="AggregateException"/> is reported as
    /// itself (AWS's runtime awaits the handler, so only an aggregate the handler threw gets here).
    /// </summary>
    public static LambdaError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        foreach (var line in (exception.StackTrace ?? string.Empty).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
            {
                lines.Add(trimmed);
            }
        }

        var causes = new List<LambdaError>();
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                causes.Add(FromException(inner));
            }
        }

        return new LambdaError(exception.GetType().Name, exception.Message, lines)
        {
            Cause = exception.InnerException is { } cause ? FromException(cause) : null,
            Causes = causes,
        };
    }

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, this);
        }

        if (buffer.Length <= MaxBytes)
        {
            return buffer.ToArray();
        }

        buffer.SetLength(0);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", TruncatedMessage);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, LambdaError error)
    {
        writer.WriteStartObject();
        writer.WriteString("errorType", error.ErrorType);
        writer.WriteString("errorMessage", error.ErrorMessage);
        if (error.StackTrace.Count > 0)
        {
            writer.WriteStartArray("stackTrace");
            foreach (var line in error.StackTrace)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
        }

        if (error.Cause is { } cause)
        {
            writer.WritePropertyName("cause");
            Write(writer, cause);
        }

        if (error.Causes.Count > 0)
        {
            writer.WriteStartArray("causes");
            foreach (var each in error.Causes)
            {
                Write(writer, each);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
