using System.Text.Json;

namespace Handshake.Experiment;

/// <summary>--json: the run for machines. Latencies in milliseconds; every count as measured.</summary>
internal static class BenchJson
{
    public static async Task WriteAsync(BenchRun run, string path)
    {
        await using FileStream file = File.Create(path);
        await using Utf8JsonWriter w = new(file, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("startedAt", run.StartedAt);
        w.WriteString("machine", run.Machine);
        w.WriteString("invokePath", run.InvokePath);
        w.WriteString("storeEndpoint", run.StoreEndpoint);
        if (run.NodeVersion is not null)
        {
            w.WriteString("node", run.NodeVersion);
        }

        w.WriteBoolean("cancelled", run.Cancelled);
        w.WriteStartObject("options");
        w.WriteNumber("invocations", run.Options.Invocations);
        w.WriteNumber("concurrency", run.Options.Concurrency);
        w.WriteNumber("environments", run.Options.ReservedConcurrency);
        w.WriteBoolean("tls", run.Options.Tls);
        WriteSeconds(w, "linkRttMs", run.Options.LinkRtt, 1000);
        WriteSeconds(w, "freezeGapSeconds", run.Options.FreezeGap, 1);
        if (run.Options.FreezeGap is null)
        {
            w.WriteNull("gaps");
        }
        else
        {
            w.WriteNumber("gaps", run.Options.Gaps);
        }

        WriteSeconds(w, "storeIdleTimeoutSeconds", run.Options.StoreIdleTimeout, 1);
        w.WriteString("endpoint", run.Options.Endpoint?.ToString());
        w.WriteEndObject();
        w.WriteStartArray("notes");
        foreach (string note in run.Notes)
        {
            w.WriteStringValue(note);
        }

        w.WriteEndArray();
        w.WriteStartArray("modes");
        foreach (ModeResult r in run.Results)
        {
            WriteMode(w, r);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMode(Utf8JsonWriter w, ModeResult r)
    {
        w.WriteStartObject();
        w.WriteString("mode", r.Mode.Name);
        w.WriteString("description", r.Mode.Description);
        w.WriteBoolean("reusesConnections", r.Mode.ReusesConnections);
        if (r.SkippedBecause is { } reason)
        {
            w.WriteString("skipped", reason);
            w.WriteEndObject();
            return;
        }

        w.WriteBoolean("partial", r.Cancelled);
        if (r.StoreEndpoint is not null)
        {
            w.WriteString("storeEndpoint", r.StoreEndpoint);
        }

        w.WriteNumber("requested", r.Requested);
        w.WriteNumber("invocations", r.Completed);
        w.WriteNumber("errors", r.Errors);
        w.WriteStartObject("errorTypes");
        foreach ((string type, long count) in r.ErrorTypes)
        {
            w.WriteNumber(type, count);
        }

        w.WriteEndObject();
        w.WriteNumber("environmentsStarted", r.EnvironmentsStarted);
        w.WriteNumber("environmentsConnected", r.EnvironmentsConnected);
        w.WriteNumber("storeConnections", r.ConnectionsOpened);
        w.WriteNumber("storeConnectionsPer1000", Math.Round(r.ConnectionsPerThousand, 2));
        w.WriteNumber("tlsConnections", r.TlsConnections);
        w.WriteNumber("storeRequests", r.StoreRequests);
        w.WriteNumber("reportLines", r.ReportLines);
        w.WriteNumber("reportNewConnectionsSum", r.ReportedNewConnections);
        w.WriteNumber("logEventsMissed", r.LogEventsMissed);
        w.WriteStartObject("latencyMs");
        foreach (double p in new[] { 50.0, 90, 99, 99.9 })
        {
            w.WriteNumber($"p{p}", Math.Round(r.LatencyMs(p), 3));
        }

        w.WriteNumber("max", Math.Round(r.MaxLatencyMs, 3));
        w.WriteEndObject();
        if (r.StoreLatencyMs(50) is { } p50)
        {
            w.WriteStartObject("storeLatencyMs");
            w.WriteNumber("p50", Math.Round(p50, 3));
            w.WriteNumber("p99", Math.Round(r.StoreLatencyMs(99)!.Value, 3));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("storeLatencyMs");
        }

        w.WriteNumber("elapsedSeconds", Math.Round(r.Elapsed.TotalSeconds, 3));
        w.WriteNumber("pausedSeconds", Math.Round(r.Paused.TotalSeconds, 3));
        w.WriteNumber("throughputPerSecond", Math.Round(r.Throughput, 1));
        w.WriteNumber("abandonedInFlight", r.Abandoned);
        w.WriteNumber("itemsInTable", r.ItemsInTable);
        w.WriteBoolean("allRecordsLanded", r.AllRecordsLanded);
        w.WriteNumber("peakTimeWait", r.PeakTimeWait);
        w.WriteNumber("timeWaitAtStart", r.TimeWaitAtStart);
        // Only the emulated link counts resets: without it (no --freeze-gap or --link-rtt, or --endpoint) they are not measured.
        if (r.Resets < 0)
        {
            w.WriteNull("resets");
        }
        else
        {
            w.WriteNumber("resets", r.Resets);
        }

        w.WriteNumber("extraHandshakes", r.ExtraHandshakes);
        w.WriteStartArray("connectionsTimeline");
        foreach ((double seconds, long opened) in r.Timeline)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(seconds, 2));
            w.WriteNumberValue(opened);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSeconds(Utf8JsonWriter w, string name, TimeSpan? value, double scale)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v.TotalSeconds * scale);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
