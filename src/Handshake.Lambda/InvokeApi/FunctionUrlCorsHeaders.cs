using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// A URL's Cors configuration on the wire, as AWS documents it (urls-configuration.html, "Cross-origin resource
/// sharing"): a preflight is answered with the configured headers alone; any other request's response carries the
/// configured headers beside the function's own (duplicates included, as AWS warns). An origin the configuration does
/// not allow gets no Access-Control-* headers at all (inferred: the browser then refuses, as it would on AWS).
/// A configured value HTTP cannot carry as Kestrel sends headers (non-ASCII satisfies the model's <c>.*</c>) is left
/// out of the header rather than failing the answer.
/// </summary>
internal static class FunctionUrlCorsHeaders
{
    /// <summary>A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0 && request.Headers.AccessControlRequestMethod.Count > 0;

    public static void WritePreflight(HttpRequest request, HttpResponse response, FunctionUrlCors cors)
    {
        response.StatusCode = 200;
        if (AllowedOrigin(request, cors) is not { } origin)
        {
            return;
        }

        response.Headers.AccessControlAllowOrigin = origin;
        VaryByOrigin(response, origin);
        if (Joined(cors.AllowMethods) is { } methods)
        {
            response.Headers.AccessControlAllowMethods = methods;
        }

        if (Joined(cors.AllowHeaders) is { } headers)
        {
            response.Headers.AccessControlAllowHeaders = headers;
        }

        if (cors.AllowCredentials == true)
        {
            response.Headers.AccessControlAllowCredentials = "true";
        }

        if (cors.MaxAge is { } maxAge)
        {
            response.Headers.AccessControlMaxAge = maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public static void WriteActual(HttpRequest request, HttpResponse response, FunctionUrlCors cors)
    {
        if (AllowedOrigin(request, cors) is not { } origin)
        {
            return;
        }

        response.Headers.Append("Access-Control-Allow-Origin", origin);
        VaryByOrigin(response, origin);
        if (Joined(cors.ExposeHeaders) is { } expose)
        {
            response.Headers.Append("Access-Control-Expose-Headers", expose);
        }

        if (cors.AllowCredentials == true)
        {
            response.Headers.Append("Access-Control-Allow-Credentials", "true");
        }
    }

    /// <summary>
    /// An answer that echoes the request's Origin differs by Origin: a cache must not give it to another origin
    /// (inferred: AWS does not document whether it sends Vary).
    /// </summary>
    private static void VaryByOrigin(HttpResponse response, string origin)
    {
        if (origin != "*")
        {
            response.Headers.Append("Vary", "Origin");
        }
    }

    /// <summary>The values joined by commas, without any HTTP cannot carry; null when none is left.</summary>
    private static string? Joined(IReadOnlyList<string>? values)
    {
        List<string> sendable = values is null ? [] : [.. values.Where(FunctionUrlResponse.IsHeaderValue)];
        return sendable.Count == 0 ? null : string.Join(',', sendable);
    }

    /// <summary>
    /// The Access-Control-Allow-Origin to send: the request's Origin when it is listed or "*" is (with credentials
    /// allowed, "*" is not a valid answer, so the origin is echoed either way, as AWS is observed to answer, e.g.
    /// LeanerCloud/CUDly#390); null when the origin is not allowed.
    /// </summary>
    private static string? AllowedOrigin(HttpRequest request, FunctionUrlCors cors)
    {
        string origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || cors.AllowOrigins is not { Count: > 0 } origins)
        {
            return null;
        }

        foreach (string allowed in origins)
        {
            if (allowed == "*")
            {
                return cors.AllowCredentials == true ? origin : "*";
            }

            if (string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase))
            {
                return origin;
            }
        }

        return null;
    }
}
