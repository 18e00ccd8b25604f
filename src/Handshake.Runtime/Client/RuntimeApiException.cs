using System.Net;

namespace Handshake.Runtime.Client;

/// <summary>The Runtime API answered a status the runtime client did not expect (400, 403, 413, 500...).</summary>
public sealed class RuntimeApiException : Exception
{
    public RuntimeApiException(string operation, HttpStatusCode statusCode, string body)
        : base($"Runtime API {operation} answered {(int)statusCode}: {body}")
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>A 500 from the Runtime API means "non-recoverable state, the runtime should exit promptly".</summary>
    public bool RuntimeShouldExit => StatusCode == HttpStatusCode.InternalServerError;
}
