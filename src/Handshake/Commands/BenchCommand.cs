using System.CommandLine;
using System.CommandLine.Parsing;
using Handshake.Composition;
using Handshake.Dynamo;
using Handshake.Experiment;
using Spectre.Console;

namespace Handshake.Commands;

/// <summary><c>handshake bench</c>: the seed's put-record function under each SDK mode, with every store connection counted.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        Option<string> modes = new("--modes")
        {
            Description = $"Comma-separated modes: {string.Join(", ", BenchMode.All.Select(m => m.Name))}.",
            DefaultValueFactory = _ => BenchMode.DefaultNames,
        };
        Option<long> invocations = Positive<long>("--invocations", "Invocations per mode.", 10_000);
        Option<int> concurrency = Positive<int>("--concurrency", "Invocations in flight at once, at most 256.", 4, max: 256);
        Option<int> environments = Positive<int>("--environments", "At most this many environments (the function's reserved concurrency; never more than --concurrency). Default: one per core.", Math.Max(1, Environment.ProcessorCount), max: 256);
        Option<bool> tls = new("--tls") { Description = "Send the functions' store traffic over the HTTPS listener (real TLS handshakes)." };
        Option<TimeSpan?> linkRtt = CommandOptions.Duration("--link-rtt", "Route store traffic through an emulated link adding this round-trip time per exchange and handshake, e.g. 2ms.");
        Option<TimeSpan?> freezeGap = CommandOptions.Duration("--freeze-gap", "Pause this long between bursts with every environment frozen, e.g. 70s (with --store-idle-timeout shorter: stale sockets).");
        Option<int> gaps = Positive<int>("--gaps", "How many freeze gaps split the invocations (bursts = gaps + 1); only with --freeze-gap.", 1);
        Option<TimeSpan?> idle = CommandOptions.StoreIdleTimeout("Close kept-alive store connections idle this long, e.g. 60s (default 130s, Kestrel's; at least 1s).");
        Option<Uri?> endpoint = new("--endpoint") { Description = "Use a running `handshake up` on this machine, by its http:// address, instead of starting one in this process.", CustomParser = ParseEndpoint };
        Option<string?> dataDirectory = new("--data-dir") { Description = "Keep the in-process store here, in one directory per mode, DIR/MODE (default: a temporary directory, removed afterwards)." };
        Option<bool> inProcessInvoke = new("--in-process-invoke") { Description = "Invoke through the function host directly instead of the Invoke API over loopback HTTP (saves the bench's own HTTP cost)." };
        Option<string?> json = new("--json") { Description = "Write the results as JSON to this file." };
        Option<string?> html = new("--html") { Description = "Write a self-contained HTML report with charts to this file." };

        Command command = new("bench", "Run the seed's put-record function under each SDK mode and report handshakes, latency and throughput.")
        {
            modes, invocations, concurrency, environments, tls, linkRtt, freezeGap, gaps, idle, endpoint, dataDirectory, inProcessInvoke, json, html,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!BenchMode.TryParseList(parseResult.GetValue(modes)!, out List<BenchMode> selected, out string? error))
            {
                return await FailAsync(error!).ConfigureAwait(false);
            }

            // As `up` says of --tls-port without --tls: an option that only means something beside another is refused,
            // not silently ignored (without --freeze-gap the invocations run in one burst, whatever --gaps says). Here
            // rather than in a validator, which would hide a bad --gaps value's own message.
            if (parseResult.GetResult(gaps) is { Implicit: false } && parseResult.GetValue(freezeGap) is null)
            {
                return await FailAsync("--gaps needs --freeze-gap (without it the invocations run in one burst, with no gap).").ConfigureAwait(false);
            }

            BenchOptions options = new()
            {
                Modes = selected,
                Invocations = parseResult.GetValue(invocations),
                Concurrency = parseResult.GetValue(concurrency),
                Environments = parseResult.GetValue(environments),
                Tls = parseResult.GetValue(tls),
                LinkRtt = parseResult.GetValue(linkRtt),
                FreezeGap = parseResult.GetValue(freezeGap),
                Gaps = parseResult.GetValue(gaps),
                StoreIdleTimeout = parseResult.GetValue(idle),
                Endpoint = parseResult.GetValue(endpoint),
                DataDirectory = parseResult.GetValue(dataDirectory),
                JsonPath = parseResult.GetValue(json),
                HtmlPath = parseResult.GetValue(html),
                InvokeInProcess = parseResult.GetValue(inProcessInvoke),
            };
            if (options.Endpoint is not null && (options.InvokeInProcess || options.Tls || options.LinkRtt is not null || options.StoreIdleTimeout is not null || options.DataDirectory is not null))
            {
                return await FailAsync("--tls, --link-rtt, --store-idle-timeout, --data-dir and --in-process-invoke need the in-process store; they cannot be used with --endpoint").ConfigureAwait(false);
            }

            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs a bench and prints it; shared with `demo`. Exit status: 0, 1 for an error, 130 after Ctrl-C.</summary>
    internal static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken, Action<BenchRun>? summary = null)
    {
        BenchRun run;
        try
        {
            run = await new BenchRunner(options, new BenchConsole()).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ExperimentException or HandshakeStartException or DynamoStoreOpenException or IOException or UnauthorizedAccessException)
        {
            return await FailAsync(e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("handshake: stopped before any mode ran.").ConfigureAwait(false);
            return 130;
        }

        AnsiConsole.Write(BenchConsole.Render(run));
        BenchConsole.WriteDetails(run);
        summary?.Invoke(run);
        if (!await BenchReports.WriteAsync(run).ConfigureAwait(false))
        {
            return 1;
        }

        if (run.Cancelled)
        {
            Console.WriteLine($"Stopped by {StopSignal.Name}: the numbers above are what was measured until then.");
            return 130;
        }

        return 0;
    }

    internal static async Task<int> FailAsync(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        await Console.Error.WriteLineAsync($"handshake: {(newline < 0 ? message : message[..newline])}").ConfigureAwait(false);
        return 1;
    }

    /// <summary>A positive whole number; anything else is a one-line parse error (never an exception in a validator).</summary>
    internal static Option<T> Positive<T>(string name, string description, T defaultValue, T? max = null)
        where T : struct, System.Numerics.INumber<T>
    {
        return new Option<T>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (T.TryParse(text.Replace("_", "", StringComparison.Ordinal), System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture, out T value) && value > T.Zero)
                {
                    if (max is { } limit && value > limit)
                    {
                        result.AddError($"{name} must be at most {limit}, not {value}.");
                    }

                    return value;
                }

                result.AddError($"{name} must be a positive whole number, not '{text}'.");
                return defaultValue;
            },
        };
    }

    private static Uri? ParseEndpoint(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttp)
        {
            return uri;
        }

        // The bench's Invoke client (InvokeConnection) speaks plain HTTP/1.1 on a raw socket; `handshake up --tls` serves
        // plain HTTP beside HTTPS, so the http:// address always exists.
        result.AddError(uri?.Scheme == Uri.UriSchemeHttps
            ? $"--endpoint takes the http:// address of `handshake up` (the bench invokes over plain HTTP), not '{text}'."
            : $"--endpoint takes an http:// URL, not '{text}'.");
        return null;
    }
}
