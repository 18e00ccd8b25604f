using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Handshake.Commands;

/// <summary>
/// <c>handshake logs FUNCTION [--follow]</c>: the function's log events (START/END/REPORT and what it printed) from a
/// running `handshake up`, read from GET /_handshake/logs/{function}. --follow long-polls for new events until Ctrl-C.
/// </summary>
internal static class LogsCommand
{
    private const int FollowWaitSeconds = 20;

    internal static Command Create()
    {
        Argument<string> function = new("function") { Description = "The function's name or ARN (a qualifier, NAME:ALIAS, is dropped: a function's versions share its log)." };
        Option<bool> follow = new("--follow", "-f") { Description = "Keep printing new events as they come." };
        Option<Uri> endpoint = CommandOptions.Endpoint();
        Command command = new("logs", "Print a function's logs from a running `handshake up`.")
        {
            function,
            follow,
            endpoint,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(endpoint)!, FunctionName(parseResult.GetValue(function)!), parseResult.GetValue(follow), cancellationToken));
        return command;
    }

    /// <summary>
    /// The name in what `handshake invoke` takes: NAME, NAME:QUALIFIER or the function's full or partial ARN, read as
    /// the Invoke API reads it (anything else is asked for as it is, and answered not found). The logs are the
    /// function's, as Lambda's log group /aws/lambda/NAME holds every version's streams, so a qualifier is dropped
    /// rather than answered "Function not found".
    /// </summary>
    internal static string FunctionName(string function) =>
        Lambda.Functions.FunctionName.TryParse(function, out string name, out _) ? name : function;

    private static async Task<int> RunAsync(Uri endpoint, string function, bool follow, CancellationToken cancellationToken)
    {
        using HttpClient client = new() { Timeout = TimeSpan.FromSeconds(FollowWaitSeconds + 10) };
        long from = 0;
        try
        {
            do
            {
                string wait = follow ? $"&wait={FollowWaitSeconds}" : "";
                using HttpResponseMessage response = await client.GetAsync(
                    new Uri(endpoint, $"/_handshake/logs/{Uri.EscapeDataString(function)}?from={from.ToString(CultureInfo.InvariantCulture)}{wait}"), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    await Console.Error.WriteLineAsync($"handshake: {ErrorBody.Describe(response, body, endpoint)}").ConfigureAwait(false);
                    return 1;
                }

                // Parsed as a document, not deserialized: no reflection, so the NativeAOT build of `handshake` keeps this verb.
                await using Stream pageBody = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    using JsonDocument page = await JsonDocument.ParseAsync(pageBody, default, cancellationToken).ConfigureAwait(false);
                    foreach (JsonElement e in page.RootElement.GetProperty("events").EnumerateArray())
                    {
                        DateTimeOffset timestamp = DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("timestamp").GetInt64());
                        Console.Out.WriteLine($"{timestamp:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {LogText.ForTerminal(e.GetProperty("message").GetString() ?? "")}");
                    }

                    from = page.RootElement.GetProperty("nextSequence").GetInt64();
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
                {
                    // A 200 that is not a page of the host's logs: something else listens at the endpoint.
                    await Console.Error.WriteLineAsync($"handshake: the answer from {endpoint} is not a page of Handshake's logs ({e.Message}); is it a Handshake endpoint (`handshake up`)?").ConfigureAwait(false);
                    return 1;
                }
            }
            while (follow && !cancellationToken.IsCancellationRequested);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"handshake: cannot read the logs of {function} from {endpoint}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
