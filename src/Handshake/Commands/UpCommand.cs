using System.CommandLine;
using System.Diagnostics;
using Handshake.Composition;
using Handshake.Dynamo;
using Handshake.Lambda.Functions;
using Handshake.Network.SigV4;

namespace Handshake.Commands;

/// <summary><c>handshake up</c>: serve the store (and the function host) on 127.0.0.1 until Ctrl-C or SIGTERM.</summary>
internal static class UpCommand
{
    // Dummy credentials: the store does not check signatures, but every SDK insists on having some, and the access key
    // is what connection accounting groups this shell's clients under.
    public const string AccessKeyId = "handshake";
    public const string SecretAccessKey = "handshake";

    internal static Command Create()
    {
        Option<int> port = CommandOptions.Port("--port", "The HTTP port on 127.0.0.1, or the --host address.", CommandOptions.DefaultPort);
        Option<string> dataDirectory = new("--data-dir")
        {
            Description = "Where the store's database, the Lambda state (functions made through the API, their code), the functions' logs and the TLS certificate are kept.",
            DefaultValueFactory = _ => "./.handshake",
        };
        Option<bool> inMemory = new("--in-memory") { Description = "Keep the store in memory and the Lambda state in a temporary directory; nothing survives a restart." };
        Option<bool> tls = new("--tls") { Description = "Also serve HTTPS, with a self-signed certificate kept in the data directory." };
        Option<int?> tlsPort = CommandOptions.OptionalPort("--tls-port", "The HTTPS port on 127.0.0.1, or the --host address (default: --port + 1).");
        Option<TimeSpan?> idleTimeout = CommandOptions.StoreIdleTimeout("Close kept-alive connections idle this long, e.g. 60s (default 130s, Kestrel's; at least 1s).");

        // The function host's limits (README `host`, Options): the account's size, the queue before 429, and how long
        // an idle environment lives.
        Option<int?> accountConcurrency = CommandOptions.Count("--account-concurrency",
            "Execution environments across all functions (default 8 per core, at least 4); beyond it invocations queue or get 429.", 1);
        Option<int?> maxQueued = CommandOptions.Count("--max-queued-invocations",
            "Synchronous invocations a function may have waiting for an environment before 429 (default 1000; 0 throttles at once, as Lambda does).", 0);
        Option<TimeSpan?> environmentIdleTimeout = CommandOptions.Duration("--environment-idle-timeout",
            "Shut down execution environments idle this long, e.g. 30s (default 10m; at least 1s).", TimeSpan.FromSeconds(1), "1s");

        Option<string> host = new("--host")
        {
            Description = "The address to listen on; 127.0.0.1 keeps the store and the admin routes off the network.",
            DefaultValueFactory = _ => "127.0.0.1",
            CustomParser = result => ParseHost(result),
        };
        Option<AuthMode?> auth = new("--auth")
        {
            Description = "off: accept any AWS4 signature, as DynamoDB Local does; strict: verify SigV4 against known credentials (default off).",
            // The help would otherwise name the enum's members (Off|Strict), and a default value would print as the
            // enum's name too ([default: Off]): so no default value, the default said in the description, in the
            // words the option takes, and Off when the option is not given.
            HelpName = "off|strict",
            CustomParser = result => ParseAuth(result),
        };
        Option<string[]> credentials = new("--credentials")
        {
            Description = "AKID:SECRET accepted under --auth strict (repeatable), besides the printed key and the functions' own.",
            AllowMultipleArgumentsPerToken = false,
        };

        Command command = new("up", "Serve the DynamoDB-compatible store and the Lambda APIs on one endpoint on 127.0.0.1.")
        {
            port, dataDirectory, inMemory, tls, tlsPort, idleTimeout, host, auth, credentials, accountConcurrency, maxQueued,
            environmentIdleTimeout,
        };
        command.Validators.Add(result =>
        {
            foreach (string pair in result.GetValue(credentials) ?? [])
            {
                int colon = pair.IndexOf(':');
                if (colon <= 0 || colon == pair.Length - 1)
                {
                    result.AddError($"--credentials takes AKID:SECRET, not '{pair}'.");
                }
            }

            // Options that only mean something beside another: said rather than silently ignored.
            if (result.GetResult(tlsPort) is not null && !result.GetValue(tls))
            {
                result.AddError("--tls-port needs --tls (without it no HTTPS port is opened).");
            }

            if (result.GetResult(credentials) is not null && (result.GetValue(auth) ?? AuthMode.Off) != AuthMode.Strict)
            {
                result.AddError("--credentials needs --auth strict (under --auth off every key is accepted).");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            int httpPort = parseResult.GetValue(port);
            HandshakeServerOptions options = new()
            {
                Port = httpPort,
                DataDirectory = parseResult.GetValue(dataDirectory)!,
                InMemory = parseResult.GetValue(inMemory),
                Tls = parseResult.GetValue(tls),
                TlsPort = parseResult.GetValue(tlsPort) ?? (httpPort == 0 ? 0 : httpPort + 1),
                StoreIdleTimeout = parseResult.GetValue(idleTimeout),
                Host = parseResult.GetValue(host)!,
                Auth = parseResult.GetValue(auth) ?? AuthMode.Off,
                Credentials = KnownCredentials(parseResult.GetValue(credentials) ?? []),
                AccountConcurrencyLimit = parseResult.GetValue(accountConcurrency),
                MaxQueuedInvocationsPerFunction = parseResult.GetValue(maxQueued),
                EnvironmentIdleTimeout = parseResult.GetValue(environmentIdleTimeout),
                ProjectFile = File.Exists(ProjectFile.DefaultFileName) ? Path.GetFullPath(ProjectFile.DefaultFileName) : null,
                // What a stop cut short (requests still in progress after the drain) is one line on stderr.
                StopLog = line => Console.Error.WriteLine($"handshake: {line}"),
            };
            return RunAsync(options, cancellationToken);
        });
        return command;
    }

    private static string ParseHost(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (System.Net.IPAddress.TryParse(text, out _))
        {
            return text;
        }

        result.AddError($"--host takes an IP address such as 127.0.0.1 or 0.0.0.0, not '{text}'.");
        return "127.0.0.1";
    }

    private static AuthMode? ParseAuth(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        switch (text.ToLowerInvariant())
        {
            case "off": return AuthMode.Off;
            case "strict": return AuthMode.Strict;
            default:
                result.AddError($"--auth takes off or strict, not '{text}'.");
                return AuthMode.Off;
        }
    }

    // The printed dummy key always works, so that the exports in the banner work under strict auth too.
    private static Dictionary<string, string> KnownCredentials(string[] pairs)
    {
        Dictionary<string, string> known = new(StringComparer.Ordinal) { [AccessKeyId] = SecretAccessKey };
        foreach (string pair in pairs)
        {
            int colon = pair.IndexOf(':');
            known[pair[..colon]] = pair[(colon + 1)..];
        }

        return known;
    }

    private static async Task<int> RunAsync(HandshakeServerOptions options, CancellationToken cancellationToken)
    {
        HandshakeServer server;
        try
        {
            server = await HandshakeServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HandshakeStartException or DynamoStoreOpenException or ProjectFileException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"handshake: {FirstLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        await using (server.ConfigureAwait(false))
        {
            TimeSpan sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
            PrintBanner(server, sinceStart);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Stopping.");
            }
        }

        Console.WriteLine("Stopped.");
        return 0;
    }

    private static void PrintBanner(HandshakeServer server, TimeSpan sinceStart)
    {
        string endpoint = server.Endpoint.GetLeftPart(UriPartial.Authority);
        HandshakeServerOptions options = server.Options;
        string storage = options.InMemory ? "in memory" : Path.GetFullPath(options.DataDirectory);
        Console.WriteLine($"Handshake is up on {endpoint} (store: {storage}; ready {sinceStart.TotalMilliseconds:F0} ms after process start).");
        if (options.Auth == AuthMode.Strict)
        {
            Console.WriteLine($"Signatures: strict (SigV4 verified; known keys: {string.Join(", ", options.Credentials.Keys)} and each function environment's own).");
        }

        if (server.TlsEndpoint is { } tlsEndpoint)
        {
            Console.WriteLine($"HTTPS on {tlsEndpoint.GetLeftPart(UriPartial.Authority)} with a self-signed certificate: {server.CertificatePemPath}");
            Console.WriteLine("  (trust it with AWS_CA_BUNDLE or NODE_EXTRA_CA_CERTS set to that file)");
        }

        if (options.ProjectFile is { } projectFile)
        {
            Console.WriteLine($"Functions from {projectFile}: {(server.DeclaredFunctions.Count == 0 ? "none" : string.Join(", ", server.DeclaredFunctions.Select(f => $"{f.Name} ({f.Runtime})")))}");
        }
        else
        {
            Console.WriteLine($"No {ProjectFile.DefaultFileName} here: no functions declared (create them with the Lambda API).");
        }

        Console.WriteLine($"Function processes: {server.Functions.ProcessContainment}.");
        Console.WriteLine("Point any AWS SDK, the AWS CLI or boto3 at it:");
        Console.WriteLine($"export AWS_ENDPOINT_URL={endpoint}");
        Console.WriteLine($"export AWS_ENDPOINT_URL_DYNAMODB={endpoint}");
        Console.WriteLine($"export AWS_REGION={options.Region}");
        // The AWS CLI v1 and older botocore (boto3) read only AWS_DEFAULT_REGION: without it they refuse to start.
        Console.WriteLine($"export AWS_DEFAULT_REGION={options.Region}");
        Console.WriteLine($"export AWS_ACCESS_KEY_ID={AccessKeyId}");
        Console.WriteLine($"export AWS_SECRET_ACCESS_KEY={SecretAccessKey}");
        Console.WriteLine($"Connections: handshake connections --endpoint {endpoint}   Metrics: {endpoint}/metrics");
        // Where a function URL (aws lambda create-function-url-config) answers: *.localhost resolves to this address.
        Console.WriteLine($"Function URLs: http://<url-id>.lambda-url.{options.Region}.localhost:{server.Endpoint.Port}/");
        Console.WriteLine("Press Ctrl-C to stop.");
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
