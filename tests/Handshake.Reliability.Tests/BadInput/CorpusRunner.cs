using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Reliability.Tests.BadInput;

/// <summary>What the server answered to one corpus request.</summary>
public sealed record CorpusOutcome(BadRequest Request, int Status, string? ContentType, string Body);

/// <summary>Sends corpus requests over raw HTTP: bytes as generated, headers exactly as given (no SDK in the way).</summary>
public static class CorpusRunner
{
    public static async Task<CorpusOutcome> SendAsync(HttpClient http, BadRequest bad)
    {
        if (bad.DeclaredLength is long declared)
        {
            return await SendDeclaredAsync(http.BaseAddress!, bad, declared);
        }

        using HttpRequestMessage request = new(HttpMethod.Post, "/");
        if (bad.Operation is { } operation)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", operation.Contains('.', StringComparison.Ordinal) ? operation : "DynamoDB_20120810." + operation);
        }

        if (bad.Authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        request.Content = new ByteArrayContent(bad.Body);
        if (bad.ContentType is { } contentType)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using HttpResponseMessage response = await http.SendAsync(request).WaitAsync(Infrastructure.Timeouts.Default);
        string body = await response.Content.ReadAsStringAsync().WaitAsync(Infrastructure.Timeouts.Default);
        return new(bad, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    // Oversized bodies go over a socket: the server answers 413 early and may close while the body is still being sent,
    // and HttpClient refuses a Content-Length larger than what follows.
    private static async Task<CorpusOutcome> SendDeclaredAsync(Uri endpoint, BadRequest bad, long declared)
    {
        using TcpClient tcp = new();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port).WaitAsync(Infrastructure.Timeouts.Default);
        NetworkStream stream = tcp.GetStream();
        string head = $"POST / HTTP/1.1\r\nHost: {endpoint.Authority}\r\nX-Amz-Target: DynamoDB_20120810.{bad.Operation}\r\n"
            + $"Authorization: {bad.Authorization}\r\nContent-Type: {bad.ContentType}\r\nContent-Length: {declared}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).AsTask().WaitAsync(Infrastructure.Timeouts.Default);
        try
        {
            await stream.WriteAsync(bad.Body).AsTask().WaitAsync(Infrastructure.Timeouts.Default);
        }
        catch (IOException)
        {
            // The server may answer 413 and close before reading a body it already knows is too large.
        }

        using StreamReader reader = new(stream, Encoding.UTF8);
        string status = await reader.ReadLineAsync().WaitAsync(Infrastructure.Timeouts.Default) ?? "";
        string? contentType = null;
        int length = 0;
        string? line;
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync().WaitAsync(Infrastructure.Timeouts.Default)))
        {
            int colon = line.IndexOf(':');
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value.Split(';')[0];
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        char[] body = new char[length];
        int read = 0;
        while (read < length)
        {
            int n = await reader.ReadAsync(body.AsMemory(read)).AsTask().WaitAsync(Infrastructure.Timeouts.Default);
            if (n == 0) break;
            read += n;
        }

        return new(bad, int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), contentType, new string(body, 0, read));
    }
}
