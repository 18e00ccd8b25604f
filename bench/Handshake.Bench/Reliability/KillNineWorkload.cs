using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handshake.Bench.Reliability;

/// <summary>
/// The writes that race the kill: PutItem of fresh keys with self-checking values, UpdateItem ADD on a few shared
/// counters, and TransactWriteItems putting two items that must exist together or not at all.
/// </summary>
public static class KillNineWorkload
{
    public static readonly string[] Tables = ["puts", "counters", "transactions"];

    public static async Task CreateTablesAsync(StoreHttp store, CancellationToken cancellationToken)
    {
        foreach (string table in Tables)
        {
            (int status, JsonDocument? body) = await store.CallAsync("CreateTable",
                $"{{\"TableName\":\"{table}\",\"KeySchema\":[{{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}}],\"AttributeDefinitions\":[{{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}}],\"BillingMode\":\"PAY_PER_REQUEST\"}}",
                cancellationToken).ConfigureAwait(false);
            string? type = body?.RootElement.TryGetProperty("__type", out JsonElement t) == true ? t.GetString() : null;
            string answer = body?.RootElement.GetRawText() ?? "";
            body?.Dispose();
            if (status != 200 && type?.EndsWith("#ResourceInUseException", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"CreateTable {table} answered {status} {answer}");
            }
        }
    }

    /// <summary>One client: writes until cancelled (the kill), recording what was acknowledged.</summary>
    public static async Task RunWorkerAsync(StoreHttp store, KillNineLedger ledger, string workerId, int seed, bool transactions, CancellationToken cancellationToken)
    {
        Random random = new(seed);
        for (long sequence = 0; !cancellationToken.IsCancellationRequested; sequence++)
        {
            int kind = random.Next(transactions ? 3 : 2);
            try
            {
                switch (kind)
                {
                    case 0:
                    {
                        string key = $"{workerId}-{sequence}";
                        string value = Value(key, random.Next(10, 300));
                        (int status, JsonDocument? body) = await store.CallAsync("PutItem",
                            $"{{\"TableName\":\"puts\",\"Item\":{{\"pk\":{{\"S\":\"{key}\"}},\"v\":{{\"S\":\"{value}\"}}}}}}", cancellationToken).ConfigureAwait(false);
                        body?.Dispose();
                        if (status == 200) ledger.Puts[key] = value;
                        break;
                    }

                    case 1:
                    {
                        int counter = random.Next(KillNineLedger.Counters);
                        Interlocked.Increment(ref ledger.SentIncrements[counter]);
                        (int status, JsonDocument? body) = await store.CallAsync("UpdateItem",
                            $"{{\"TableName\":\"counters\",\"Key\":{{\"pk\":{{\"S\":\"c{counter}\"}}}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{{\":one\":{{\"N\":\"1\"}}}}}}",
                            cancellationToken).ConfigureAwait(false);
                        body?.Dispose();
                        if (status == 200) Interlocked.Increment(ref ledger.AcknowledgedIncrements[counter]);
                        break;
                    }

                    default:
                    {
                        string id = $"{workerId}-{sequence}";
                        string value = Value(id, random.Next(10, 200));
                        (int status, JsonDocument? body) = await store.CallAsync("TransactWriteItems",
                            $"{{\"TransactItems\":[{{\"Put\":{{\"TableName\":\"transactions\",\"Item\":{{\"pk\":{{\"S\":\"{id}-a\"}},\"tx\":{{\"S\":\"{id}\"}},\"v\":{{\"S\":\"{value}\"}}}}}}}},"
                            + $"{{\"Put\":{{\"TableName\":\"transactions\",\"Item\":{{\"pk\":{{\"S\":\"{id}-b\"}},\"tx\":{{\"S\":\"{id}\"}},\"v\":{{\"S\":\"{value}\"}}}}}}}}]}}",
                            cancellationToken).ConfigureAwait(false);
                        body?.Dispose();
                        if (status == 200) ledger.Transactions[id] = value;
                        break;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
            {
                // The server died under this request: it was not acknowledged. Stop once the harness says so.
            }
        }
    }

    // A value that carries its own checksum: a torn or mixed-up write cannot pass for a whole one.
    public static string Value(string key, int length)
    {
        string payload = new('x', length);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key + payload)))[..16];
        return payload + ":" + hash;
    }

    public static bool IsWhole(string key, string value)
    {
        int colon = value.LastIndexOf(':');
        return colon > 0 && Value(key, colon) == value;
    }

    internal static string Counter(int index) => "c" + index.ToString(CultureInfo.InvariantCulture);
}
