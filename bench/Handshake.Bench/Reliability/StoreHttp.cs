using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Handshake.Bench.Reliability;

/// <summary>
/// DynamoDB calls as raw HTTP, with no SDK retries: a write counts as acknowledged exactly when its 200 arrived, and is
/// sent exactly once (an SDK retry of an unacknowledged ADD could apply it twice).
/// </summary>
public sealed class StoreHttp(HttpClient http)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/x-amz-json-1.0");

    public async Task<(int Status, JsonDocument? Body)> CallAsync(string operation, string json, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810." + operation);
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=reliability/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) { Headers = { ContentType = JsonType } };
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, body.Length == 0 ? null : JsonDocument.Parse(body));
    }

    /// <summary>Calls and requires a 200; the body is the caller's to dispose.</summary>
    public async Task<JsonDocument> CallOkAsync(string operation, string json, CancellationToken cancellationToken)
    {
        (int status, JsonDocument? body) = await CallAsync(operation, json, cancellationToken).ConfigureAwait(false);
        if (status != 200)
        {
            string text = body?.RootElement.GetRawText() ?? "";
            body?.Dispose();
            throw new InvalidOperationException($"{operation} answered {status}: {text}");
        }

        return body ?? JsonDocument.Parse("{}");
    }

    /// <summary>Every item of a table, through Scan pages (strongly consistent).</summary>
    public async Task<List<Dictionary<string, string>>> ScanAllAsync(string table, CancellationToken cancellationToken)
    {
        List<Dictionary<string, string>> items = [];
        string? start = null;
        do
        {
            string request = start is null
                ? $"{{\"TableName\":\"{table}\",\"ConsistentRead\":true}}"
                : $"{{\"TableName\":\"{table}\",\"ConsistentRead\":true,\"ExclusiveStartKey\":{start}}}";
            using JsonDocument page = await CallOkAsync("Scan", request, cancellationToken).ConfigureAwait(false);
            foreach (JsonElement item in page.RootElement.GetProperty("Items").EnumerateArray())
            {
                Dictionary<string, string> flat = new(StringComparer.Ordinal);
                foreach (JsonProperty attribute in item.EnumerateObject())
                {
                    JsonProperty typed = attribute.Value.EnumerateObject().First();
                    flat[attribute.Name] = typed.Value.ValueKind == JsonValueKind.String ? typed.Value.GetString()! : typed.Value.GetRawText();
                }

                items.Add(flat);
            }

            start = page.RootElement.TryGetProperty("LastEvaluatedKey", out JsonElement key) ? key.GetRawText() : null;
        }
        while (start is not null);
        return items;
    }
}
