using System.Globalization;
using System.Text.Json;

namespace Handshake.Bench.Reliability;

/// <summary>What a restart found: acknowledged writes missing or changed, torn transactions, counters out of bounds.</summary>
public sealed record KillNineCheck(long Lost, long Torn, long CounterViolations, IReadOnlyList<string> Problems);

/// <summary>Checks a restarted store against the ledger of acknowledged writes.</summary>
public static class KillNineVerifier
{
    public static async Task<KillNineCheck> CheckAsync(StoreHttp store, KillNineLedger ledger, CancellationToken cancellationToken)
    {
        List<string> problems = [];
        long lost = 0, torn = 0, counterViolations = 0;

        // Every acknowledged put is there with its exact value; whatever else committed (unacknowledged, in flight at
        // the kill) is whole.
        Dictionary<string, string> kv = [];
        foreach (Dictionary<string, string> item in await store.ScanAllAsync("puts", cancellationToken).ConfigureAwait(false))
        {
            kv[item["pk"]] = item.GetValueOrDefault("v") ?? "";
        }

        foreach ((string key, string value) in ledger.Puts)
        {
            if (!kv.TryGetValue(key, out string? found) || found != value)
            {
                lost++;
                Note(problems, $"put {key}: {(found is null ? "missing" : "changed")}");
            }
        }

        foreach ((string key, string value) in kv)
        {
            if (!KillNineWorkload.IsWhole(key, value))
            {
                torn++;
                Note(problems, $"put {key}: torn value");
            }
        }

        // Transactions: both items or neither, equal and whole; every acknowledged one present.
        Dictionary<string, List<Dictionary<string, string>>> byTransaction = [];
        foreach (Dictionary<string, string> item in await store.ScanAllAsync("transactions", cancellationToken).ConfigureAwait(false))
        {
            string id = item.GetValueOrDefault("tx") ?? "";
            if (!byTransaction.TryGetValue(id, out List<Dictionary<string, string>>? parts))
            {
                byTransaction[id] = parts = [];
            }

            parts.Add(item);
        }

        foreach ((string id, List<Dictionary<string, string>> parts) in byTransaction)
        {
            bool whole = parts.Count == 2 && parts[0]["v"] == parts[1]["v"] && KillNineWorkload.IsWhole(id, parts[0]["v"])
                && parts.Any(p => p["pk"] == id + "-a") && parts.Any(p => p["pk"] == id + "-b");
            if (!whole)
            {
                torn++;
                Note(problems, $"transaction {id}: {parts.Count} of 2 items");
            }
        }

        foreach ((string id, string value) in ledger.Transactions)
        {
            if (!byTransaction.TryGetValue(id, out List<Dictionary<string, string>>? parts) || parts[0]["v"] != value)
            {
                lost++;
                Note(problems, $"transaction {id}: missing");
            }
        }

        // Counters: at least every acknowledged increment, at most every one sent.
        for (int i = 0; i < KillNineLedger.Counters; i++)
        {
            using JsonDocument got = await store.CallOkAsync("GetItem",
                $"{{\"TableName\":\"counters\",\"Key\":{{\"pk\":{{\"S\":\"{KillNineWorkload.Counter(i)}\"}}}},\"ConsistentRead\":true}}", cancellationToken).ConfigureAwait(false);
            long value = got.RootElement.TryGetProperty("Item", out JsonElement item)
                ? long.Parse(item.GetProperty("n").GetProperty("N").GetString()!, CultureInfo.InvariantCulture)
                : 0;
            long acknowledged = Interlocked.Read(ref ledger.AcknowledgedIncrements[i]);
            long sent = Interlocked.Read(ref ledger.SentIncrements[i]);
            if (value < acknowledged || value > sent)
            {
                counterViolations++;
                if (value < acknowledged) lost += acknowledged - value;
                Note(problems, $"counter {i}: {value}, acknowledged {acknowledged}, sent {sent}");
            }
        }

        return new KillNineCheck(lost, torn, counterViolations, problems);
    }

    private static void Note(List<string> problems, string problem)
    {
        if (problems.Count < 20) problems.Add(problem);
    }
}
