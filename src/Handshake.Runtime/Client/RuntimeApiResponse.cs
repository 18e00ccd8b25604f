namespace Handshake.Runtime.Client;

/// <summary>One answer of the Runtime API as <see cref="RuntimeApiConnection"/> read it: the status, the headers the client uses, the body.</summary>
internal sealed class RuntimeApiResponse
{
    public int StatusCode { get; set; }

    /// <summary>-1 when the answer carried no Content-Length.</summary>
    public long ContentLength { get; set; } = -1;

    public bool Chunked { get; set; }

    /// <summary>The server will close the connection after this answer (Connection: close, or HTTP/1.0 without keep-alive).</summary>
    public bool ConnectionClose { get; set; }

    public string? AwsRequestId { get; set; }
    public string? DeadlineMs { get; set; }
    public string? InvokedFunctionArn { get; set; }
    public string? TraceId { get; set; }
    public string? ClientContext { get; set; }
    public string? CognitoIdentity { get; set; }

    /// <summary>The body, or empty when the caller asked to discard it.</summary>
    public byte[] Body { get; set; } = [];
}
