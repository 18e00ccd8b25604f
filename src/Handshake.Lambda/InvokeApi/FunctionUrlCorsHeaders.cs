using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// A URL's Cors configuration on the wire, as AWS documents it (urls-configuration.html, "Cross-origin resource
/// sharing"): a preflight is answered with the configured headers alone; any other request's response carries the
/// configured headers beside the function's own (duplicates included, as AWS warns). An origin the configuration does
/// not allow gets no Access-Control-* headers at all (inferred: the browser then refuses, as it would on AWS).
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
        if (cors.AllowMethods is { Count: > 0 } methods)
        {
            response.Headers.AccessControlAllowMethods = string.Join(',', methods);
        }

        if (cors.AllowHeaders is { Count: > 0 } headers)
        {
            response.Headers.AccessControlAllowHeaders = string.Join(',', headers);
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
        if (cors.ExposeHeaders is { Count: > 0 } expose)
        {
            response.Headers.Append("Access-Control-Expose-Headers", string.Join(',', expose));
        }

        if (cors.AllowCredentials == true)
        {
            response.Headers.Append("Access-Control-Allow-Credentials", "true");
        }
    }

    /// <summary>
    /// The Access-Control-Allow-Origin to send: the request's Origin when it is listed or "*" is (with credentials
    /// allowed, "*" is not a valid answer, so the origin is echoed either way); null when the origin is not allowed.
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
