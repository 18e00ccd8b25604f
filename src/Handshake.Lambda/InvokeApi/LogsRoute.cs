using System.Globalization;
using Handshake.Lambda.Functions;
using Handshake.Lambda.Logs;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /_handshake/logs/{function}?from=SEQUENCE&amp;wait=SECONDS&amp;limit=N, for `handshake logs`:
/// {"events":[{"sequence":0,"timestamp":1732630000000,"logStreamName":"...","message":"START RequestId: ..."}],"nextSequence":1}.
/// With wait, the call returns as soon as an event at or after `from` exists (long poll for --follow).
/// The function's log group is read: /aws/lambda/NAME, or the one its LoggingConfig.LogGroup names, where only the
/// function's own streams (YYYY/MM/DD/NAME[VERSION]ID) are answered, since other functions may log into it too; a page
/// can then hold fewer events than it read, and nextSequence still moves past all of them.
/// </summary>
internal static class LogsRoute
{
    public const string Prefix = "/_handshake/logs/";

    public static async Task HandleAsync(FunctionHost host, HttpContext context)
    {
        try
        {
            string path = context.Request.Path.Value ?? "";
            string name = path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..].Trim('/') : "";
            if (!host.TryGetFunction(name, out _) && !host.Logs.TryGet(name, out _))
            {
                throw LambdaException.FunctionNotFound(host.Arn(name));
            }

            // A deleted function's log is read from its own group: a custom one is no longer known.
            string own = LogsApi.LogGroups.LambdaPrefix + name;
            string group = host.TryGetFunction(name, out FunctionDefinition? function) ? function.Logging.LogGroupFor(name) : own;
            string? ownStreams = group == own ? null : "/" + name + "[";
            FunctionLog log = host.Logs.For(LogsApi.LogGroups.LogKey(group));
            try
            {
                await host.LogsSettledAsync(name).WaitAsync(TimeSpan.FromSeconds(2), context.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A function still printing: serve what is there.
            }

            long from = long.TryParse(context.Request.Query["from"], NumberStyles.None, CultureInfo.InvariantCulture, out long f) ? f : 0;
            int limit = int.TryParse(context.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? Math.Clamp(l, 1, 10_000) : 10_000;
            double wait = double.TryParse(context.Request.Query["wait"], NumberStyles.Float, CultureInfo.InvariantCulture, out double w) ? Math.Clamp(w, 0, 60) : 0;
            if (wait > 0)
            {
                using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(wait));
                try
                {
                    await log.WaitAsync(from, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                }
            }

            // The group's retention, as the CloudWatch Logs API's reads apply it: an expired event is never returned.
            LogsApi.LogRetention.Expire(host, group, log);
            List<LogEvent> events = log.Read(from, limit);
            long next = events.Count > 0 ? events[^1].Sequence + 1 : Math.Max(from, 0);
            if (ownStreams is not null)
            {
                events.RemoveAll(e => !e.LogStreamName.Contains(ownStreams, StringComparison.Ordinal));
            }
            await JsonResponse.WriteAsync(context, 200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("events");
                foreach (LogEvent e in events)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("sequence", e.Sequence);
                    writer.WriteNumber("timestamp", e.Timestamp.ToUnixTimeMilliseconds());
                    writer.WriteString("logStreamName", e.LogStreamName);
                    writer.WriteString("message", e.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("nextSequence", next);
                writer.WriteEndObject();
            }).ConfigureAwait(false);
        }
        catch (LambdaException e) when (!context.Response.HasStarted)
        {
            await LambdaErrorWriter.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}
