namespace Handshake.Lambda.LogsApi;

/// <summary>A CloudWatch Logs error, answered as awsJson1_1 does: 400, <c>{"__type":CODE,"message":MESSAGE}</c>.</summary>
internal sealed class LogsException(string code, string? message, int status = 400) : Exception(message ?? code)
{
    /// <summary>The coral front end's own errors carry its namespace in <c>__type</c>, as every AWS JSON service's do.</summary>
    private const string CoralNamespace = "com.amazon.coral.service#";

    public string Code { get; } = code;

    public string? WireMessage { get; } = message;

    public int Status { get; } = status;

    /// <summary>The <c>__type</c> written: the service's errors bare, the front end's (serialization, unknown operation) namespaced.</summary>
    public string WireType => Code is "SerializationException" or "UnknownOperationException" ? CoralNamespace + Code : Code;

    public static LogsException LogGroupNotFound() => new("ResourceNotFoundException", "The specified log group does not exist.");

    public static LogsException LogStreamNotFound() => new("ResourceNotFoundException", "The specified log stream does not exist.");

    public static LogsException LogGroupAlreadyExists() => new("ResourceAlreadyExistsException", "The specified log group already exists");

    /// <summary>No full stop either, as CloudWatch words it (a LocalStack snapshot recorded against AWS, 2026-02).</summary>
    public static LogsException LogStreamAlreadyExists() => new("ResourceAlreadyExistsException", "The specified log stream already exists");

    public static LogsException InvalidParameter(string message) => new("InvalidParameterException", message);

    public static LogsException InvalidNextToken() => InvalidParameter("The specified nextToken is invalid.");

    public static LogsException Serialization() => new("SerializationException", null);

    public static LogsException UnknownOperation() => new("UnknownOperationException", null);
}
