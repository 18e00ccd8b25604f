using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// The event a function URL invokes its function with: API Gateway's payload format version 2.0, as AWS documents it
/// for function URLs (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request payload format"):
/// routeKey and stage are "$default", apiId and domainPrefix the url-id, headers lowercased with repeated headers
/// joined by commas, the Cookie header moved to <c>cookies</c>, query parameters decoded with repeated keys joined by
/// commas, the body base64-encoded unless its content type is text.
/// </summary>
internal static class FunctionUrlEvent
{
    /// <summary>The caller AWS_IAM authorized: its access key (the rest of authorizer.iam is inferred from it).</summary>
    public readonly record struct IamCaller(string AccessKey);

    public static byte[] Build(FunctionHost host, HttpContext context, FunctionUrlConfig config, byte[] body, string requestId, string traceId, IamCaller? caller)
    {
        HttpRequest request = context.Request;
        DateTimeOffset now = host.Options.Clock.GetUtcNow();
        // As the client sent it (Kestrel's Path is decoded): rawPath keeps %2F and the like, as AWS's does. A target
        // in absolute form (GET http://host/p) or asterisk form (OPTIONS *) is no path: Kestrel's Path and QueryString
        // are then the request's path and query.
        string? rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string target = rawTarget is ['/', ..] ? rawTarget : request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        int query = target.IndexOf('?', StringComparison.Ordinal);
        string rawPath = query < 0 ? target : target[..query];
        if (rawPath.Length == 0 || rawPath[0] != '/')
        {
            rawPath = "/" + rawPath;
        }

        string rawQuery = query < 0 ? "" : target[(query + 1)..];
        string sourceIp = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        string domainName = request.Host.Host;
        using MemoryStream buffer = new(body.Length * 4 / 3 + 2048);
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "2.0");
            writer.WriteString("routeKey", "$default");
            writer.WriteString("rawPath", rawPath);
            writer.WriteString("rawQueryString", rawQuery);
            WriteCookies(writer, request);
            WriteHeaders(writer, request, sourceIp, traceId);
            WriteQuery(writer, rawQuery);
            writer.WriteStartObject("requestContext");
            // An unsigned caller has no account: AWS writes "anonymous" (NONE); a signed one is the host's one account.
            writer.WriteString("accountId", caller is null ? "anonymous" : host.Options.AccountId);
            writer.WriteString("apiId", config.UrlId);
            if (caller is { } iam)
            {
                WriteAuthorizer(writer, host, iam);
            }

            writer.WriteString("domainName", domainName);
            writer.WriteString("domainPrefix", config.UrlId);
            writer.WriteStartObject("http");
            writer.WriteString("method", request.Method);
            writer.WriteString("path", rawPath);
            writer.WriteString("protocol", request.Protocol);
            writer.WriteString("sourceIp", sourceIp);
            writer.WriteString("userAgent", request.Headers.UserAgent.ToString());
            writer.WriteEndObject();
            writer.WriteString("requestId", requestId);
            writer.WriteString("routeKey", "$default");
            writer.WriteString("stage", "$default");
            writer.WriteString("time", now.UtcDateTime.ToString("dd'/'MMM'/'yyyy':'HH':'mm':'ss' +0000'", CultureInfo.InvariantCulture));
            writer.WriteNumber("timeEpoch", now.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
            bool base64 = body.Length > 0 && !IsText(request.ContentType, body);
            if (body.Length > 0)
            {
                writer.WriteString("body", base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body));
            }

            writer.WriteBoolean("isBase64Encoded", base64);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A text body is passed as it is; anything else in base64. AWS says only that binary content types are encoded;
    /// the split here is inferred (and matches reports of the real service): text/*, JSON, XML and JavaScript are text;
    /// form posts, octet streams and a request with no Content-Type are not. A "text" body that is not UTF-8 is encoded too.
    /// </summary>
    internal static bool IsText(string? contentType, byte[] body)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        string mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        bool text = mediaType.StartsWith("text/", StringComparison.Ordinal)
            || mediaType.EndsWith("/json", StringComparison.Ordinal) || mediaType.EndsWith("+json", StringComparison.Ordinal)
            || mediaType.EndsWith("/xml", StringComparison.Ordinal) || mediaType.EndsWith("+xml", StringComparison.Ordinal)
            || mediaType is "application/javascript" or "application/x-javascript";
        return text && System.Text.Unicode.Utf8.IsValid(body);
    }

    private static void WriteCookies(Utf8JsonWriter writer, HttpRequest request)
    {
        List<string> cookies = [];
        foreach (string? header in request.Headers.Cookie)
        {
            foreach (string cookie in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                cookies.Add(cookie);
            }
        }

        if (cookies.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("cookies");
        foreach (string cookie in cookies)
        {
            writer.WriteStringValue(cookie);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// The request's headers, lowercased, repeated ones joined with commas; Cookie goes to <c>cookies</c> instead, and
    /// the x-forwarded-* and x-amzn-trace-id headers AWS's front end adds are added (with the local peer and port).
    /// </summary>
    private static void WriteHeaders(Utf8JsonWriter writer, HttpRequest request, string sourceIp, string traceId)
    {
        writer.WriteStartObject("headers");
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in request.Headers)
        {
            string name = header.Key.ToLowerInvariant();
            if (name is "cookie" or "connection" || name.StartsWith("x-forwarded-", StringComparison.Ordinal) || name == "x-amzn-trace-id")
            {
                continue;
            }

            writer.WriteString(name, string.Join(',', header.Value.Where(static v => v is not null)));
        }

        writer.WriteString("x-amzn-trace-id", traceId);
        writer.WriteString("x-forwarded-for", sourceIp);
        writer.WriteString("x-forwarded-port", (request.Host.Port ?? (request.IsHttps ? 443 : 80)).ToString(CultureInfo.InvariantCulture));
        writer.WriteString("x-forwarded-proto", request.Scheme);
        writer.WriteEndObject();
    }

    /// <summary>queryStringParameters: decoded, a repeated key's values joined by commas; absent with no query.</summary>
    private static void WriteQuery(Utf8JsonWriter writer, string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return;
        }

        Dictionary<string, string> parameters = new(StringComparer.Ordinal);
        List<string> order = [];
        foreach (string pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Decode(equals < 0 ? pair : pair[..equals]);
            string value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (parameters.TryGetValue(key, out string? existing))
            {
                parameters[key] = existing + "," + value;
            }
            else
            {
                parameters[key] = value;
                order.Add(key);
            }
        }

        writer.WriteStartObject("queryStringParameters");
        foreach (string key in order)
        {
            writer.WriteString(key, parameters[key]);
        }

        writer.WriteEndObject();
    }

    private static string Decode(string component)
    {
        try
        {
            return Uri.UnescapeDataString(component.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return component;
        }
    }

    /// <summary>
    /// authorizer.iam as AWS documents its members. The host has one account and no IAM users: the access key is the
    /// signer's, accountId the host's, and callerId, userId and userArn are inferred stand-ins (the key id, and the
    /// account's root ARN), since no IAM identity exists behind a local key.
    /// </summary>
    private static void WriteAuthorizer(Utf8JsonWriter writer, FunctionHost host, IamCaller caller)
    {
        writer.WriteStartObject("authorizer");
        writer.WriteStartObject("iam");
        writer.WriteString("accessKey", caller.AccessKey);
        writer.WriteString("accountId", host.Options.AccountId);
        writer.WriteString("callerId", caller.AccessKey);
        writer.WriteNull("cognitoIdentity");
        writer.WriteNull("principalOrgId");
        writer.WriteString("userArn", $"arn:aws:iam::{host.Options.AccountId}:root");
        writer.WriteString("userId", caller.AccessKey);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
