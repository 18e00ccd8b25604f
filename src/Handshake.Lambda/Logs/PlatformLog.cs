using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Logs;

/// <summary>
/// The lines Lambda itself writes to a function's log (its "system logs", or platform events) in the function's
/// LogFormat. With Text they are the lines the environment has always written (START, END, REPORT, INIT_START,
/// INIT_REPORT), built by the caller; this type only says so (<see cref="IsJson"/>). With JSON each is one JSON object
/// on one line, <c>{"time":...,"type":"platform.*","record":{...}}</c>, with the Telemetry API's record shapes, and
/// SystemLogLevel drops those below it: the levels are AWS's "System log level event mapping" (Lambda developer guide,
/// "Log-level filtering"), the shapes its "Telemetry API Event schema reference". A method returns null for an event the
/// level drops. One per execution environment, since an environment's configuration never changes.
/// </summary>
internal sealed class PlatformLog
{
    /// <summary>The platform event levels in AWS's order (DEBUG writes every event, WARN only the failures).</summary>
    private enum Level
    {
        Debug,
        Info,
        Warn,
    }

    private readonly Level _minimum;

    public PlatformLog(FunctionLogging logging)
    {
        IsJson = logging.LogFormat == "JSON";
        // A level that is missing or unknown (a saved document edited by hand) is Lambda's default, INFO: a bad
        // configuration must cost the filtering, never the invocation.
        _minimum = logging.SystemLogLevel switch
        {
            "DEBUG" => Level.Debug,
            "WARN" => Level.Warn,
            _ => Level.Info,
        };
    }

    /// <summary>LogFormat is JSON: the caller writes what this type returns instead of its text line.</summary>
    public bool IsJson { get; }

    /// <summary>
    /// INIT_START's event: INFO, as the mapping has it when runtimeVersion is set (it always is here). The
    /// initialization type is "on-demand", as AWS_LAMBDA_INITIALIZATION_TYPE says.
    /// </summary>
    public string? InitStart(DateTimeOffset time, string runtimeVersion, string runtimeVersionArn, string functionName, string functionVersion)
    {
        if (_minimum > Level.Info)
        {
            return null;
        }

        using Event e = new(time, "platform.initStart");
        e.Record.WriteString("initializationType", "on-demand");
        e.Record.WriteString("phase", "init");
        e.Record.WriteString("runtimeVersion", runtimeVersion);
        e.Record.WriteString("runtimeVersionArn", runtimeVersionArn);
        e.Record.WriteString("functionName", functionName);
        e.Record.WriteString("functionVersion", functionVersion);
        return e.Finish();
    }

    /// <summary>
    /// INIT_REPORT's event. The host writes one only for a failed init (as its text line), so it is always WARN
    /// (the mapping's level for an initReport whose status is not success). <paramref name="phase"/> is "init", or
    /// "invoke" for the retry within the first invocation; <paramref name="status"/> "error" or "timeout".
    /// </summary>
    public string? InitReport(DateTimeOffset time, string phase, string status, string? errorType, double durationMs)
    {
        using Event e = new(time, "platform.initReport");
        e.Record.WriteString("initializationType", "on-demand");
        e.Record.WriteString("phase", phase);
        e.Status(status, errorType);

        e.Record.WriteStartObject("metrics");
        e.Record.WriteNumber("durationMs", Math.Round(durationMs, 2));
        e.Record.WriteEndObject();
        return e.Finish();
    }

    /// <summary>START's event: INFO.</summary>
    public string? Start(DateTimeOffset time, string requestId, string version)
    {
        if (_minimum > Level.Info)
        {
            return null;
        }

        using Event e = new(time, "platform.start");
        e.Record.WriteString("requestId", requestId);
        e.Record.WriteString("version", version);
        return e.Finish();
    }

    /// <summary>
    /// END's event, platform.runtimeDone: DEBUG when the invocation succeeded, WARN otherwise (so that at INFO, Lambda's
    /// default, a successful invocation has START and REPORT events and no END, as in CloudWatch).
    /// </summary>
    public string? RuntimeDone(DateTimeOffset time, string requestId, string status, string? errorType, double durationMs, int producedBytes)
    {
        if (_minimum > (status == "success" ? Level.Debug : Level.Warn))
        {
            return null;
        }

        using Event e = new(time, "platform.runtimeDone");
        e.Record.WriteString("requestId", requestId);
        e.Status(status, errorType);

        e.Record.WriteStartObject("metrics");
        e.Record.WriteNumber("durationMs", Math.Round(durationMs, 2));
        e.Record.WriteNumber("producedBytes", producedBytes);
        e.Record.WriteEndObject();
        return e.Finish();
    }

    /// <summary>
    /// REPORT's event, platform.report: INFO when the invocation succeeded, WARN otherwise. Its metrics are the text
    /// line's numbers (initDurationMs only on the line that has an Init Duration); <paramref name="newConnections"/>, the
    /// text line's `New Connections` (Handshake's own, with connection accounting on), is metrics.newConnections.
    /// </summary>
    public string? Report(DateTimeOffset time, string requestId, string status, string? errorType, double durationMs, long billedDurationMs,
        int memorySizeMb, long maxMemoryUsedMb, double? initDurationMs, long? newConnections)
    {
        if (_minimum > (status == "success" ? Level.Info : Level.Warn))
        {
            return null;
        }

        using Event e = new(time, "platform.report");
        e.Record.WriteString("requestId", requestId);
        e.Record.WriteStartObject("metrics");
        e.Record.WriteNumber("durationMs", Math.Round(durationMs, 2));
        e.Record.WriteNumber("billedDurationMs", billedDurationMs);
        e.Record.WriteNumber("memorySizeMB", memorySizeMb);
        e.Record.WriteNumber("maxMemoryUsedMB", maxMemoryUsedMb);
        if (initDurationMs is double init)
        {
            e.Record.WriteNumber("initDurationMs", Math.Round(init, 2));
        }

        if (newConnections is long connections)
        {
            e.Record.WriteNumber("newConnections", connections);
        }

        e.Record.WriteEndObject();
        e.Status(status, errorType);

        return e.Finish();
    }

    /// <summary>One event being written: the envelope is opened here, the caller fills <see cref="Record"/>.</summary>
    private sealed class Event : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer;

        public Event(DateTimeOffset time, string type)
        {
            _buffer = new ArrayBufferWriter<byte>(256);
            Record = new Utf8JsonWriter(_buffer);
            Record.WriteStartObject();
            // Milliseconds, UTC, with a Z: the form of AWS's examples ("2022-10-12T00:01:15.000Z").
            Record.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            Record.WriteString("type", type);
            Record.WriteStartObject("record");
        }

        public Utf8JsonWriter Record { get; }

        /// <summary>The record's `status`, and its `errorType` when there is one (a failure's).</summary>
        public void Status(string status, string? errorType)
        {
            Record.WriteString("status", status);
            if (errorType is not null)
            {
                Record.WriteString("errorType", errorType);
            }
        }

        /// <summary>Closes the record and the envelope: the line.</summary>
        public string Finish()
        {
            Record.WriteEndObject();
            Record.WriteEndObject();
            Record.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        public void Dispose() => Record.Dispose();
    }
}
