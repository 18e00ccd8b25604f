using System.Text.Json;
using Handshake.Network.Accounting;
using Handshake.Network.Metrics;
using Microsoft.AspNetCore.Http;

namespace Handshake.Composition;

/// <summary>The endpoint's own routes: <c>/_handshake/*</c> and <c>/metrics</c>. Off the store's hot path.</summary>
internal sealed class AdminEndpoint(ConnectionLedger ledger, PrometheusExporter exporter)
{
    public const string ConnectionsPath = "/_handshake/connections";
    public const string MetricsPath = "/metrics";
    private const string Prefix = "/_handshake";

    public static bool IsAdminRequest(HttpRequest request) =>
        request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal) || request.Path.Equals(MetricsPath, StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool readOnly = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (request.Path.Equals(ConnectionsPath, StringComparison.Ordinal) && readOnly)
        {
            response.ContentType = "application/json";
            await using Utf8JsonWriter writer = new(response.BodyWriter, new JsonWriterOptions { Indented = true });
            ledger.Snapshot().WriteJson(writer);
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (request.Path.Equals(MetricsPath, StringComparison.Ordinal) && readOnly)
        {
            response.ContentType = PrometheusExporter.ContentType;
            await response.WriteAsync(exporter.Scrape(), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.StatusCode = StatusCodes.Status404NotFound;
        response.ContentType = "application/json";
        await using Utf8JsonWriter error = new(response.BodyWriter);
        error.WriteStartObject();
        error.WriteString("message", $"No admin route {request.Method} {request.Path}; try GET {ConnectionsPath} or GET {MetricsPath}");
        error.WriteEndObject();
        await error.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
