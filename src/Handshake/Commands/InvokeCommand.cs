using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;

namespace Handshake.Commands;

/// <summary>
/// <c>handshake invoke FUNCTION[:QUALIFIER] [--payload JSON] [--tail]</c>: a synchronous invocation through the running
/// endpoint's Invoke API (a version or an alias with <c>name:qualifier</c>, which the path carries as Lambda's does).
/// The function's payload goes to stdout; with --tail, the invocation's log (last 4 KB) goes to stderr.
/// Exit status: 0 on success, 1 when the function failed or the endpoint refused the call. The request is signed
/// (SigV4, service lambda) with the environment's AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else the
/// key `handshake up` prints, so it passes `--auth strict` as an SDK would.
/// </summary>
internal static class InvokeCommand
{
    internal static Command Create()
    {
        Argument<string> function = new("function") { Description = "The function's name or ARN, optionally qualified: NAME:VERSION or NAME:ALIAS." };
        Option<string> payload = new("--payload")
        {
            Description = "The event, as JSON.",
            DefaultValueFactory = _ => "{}",
            CustomParser = ParsePayload,
        };
        Option<bool> tail = new("--tail") { Description = "Print the invocation's log (the last 4 KB) to stderr." };
        Option<Uri> endpoint = CommandOptions.Endpoint();
        Command command = new("invoke", "Invoke a function on a running `handshake up` and print its response.")
        {
            function,
            payload,
            tail,
            endpoint,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(endpoint)!, parseResult.GetValue(function)!, parseResult.GetValue(payload)!, parseResult.GetValue(tail), cancellationToken));
        return command;
    }

    // Checked here, not left to the endpoint: a typo in the event is one line naming --payload (and where the JSON
    // breaks), before any request, rather than the Invoke API's InvalidRequestContentException with its body quoted.
    // Empty (or blank) is let through: the Invoke API takes an empty body, as Lambda does.
    private static string ParsePayload(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "{}";
        if (string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            result.AddError($"--payload takes the event as JSON: {e.Message.ReplaceLineEndings(" ")}");
        }

        return text;
    }

    private static async Task<int> RunAsync(Uri endpoint, string function, string payload, bool tail, CancellationToken cancellationToken)
    {
        // A synchronous invocation may run up to the function's timeout (900 s at most).
        using HttpClient client = new() { Timeout = TimeSpan.FromSeconds(910) };
        byte[] eventBytes = Encoding.UTF8.GetBytes(payload);
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(endpoint, $"/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations"))
        {
            Content = new ByteArrayContent(eventBytes) { Headers = { { "Content-Type", "application/json" } } },
        };
        if (tail)
        {
            request.Headers.Add("X-Amz-Log-Type", "Tail");
        }

        ClientCredentials.FromEnvironment().Sign(request, eventBytes, "lambda");

        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.Headers.TryGetValues("X-Amz-Log-Result", out IEnumerable<string>? log))
            {
                await Console.Error.WriteAsync(LogText.ForTerminal(Encoding.UTF8.GetString(Convert.FromBase64String(log.First())))).ConfigureAwait(false);
            }

            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"handshake: {ErrorBody.Describe(response, body, endpoint)}").ConfigureAwait(false);
                return 1;
            }

            Console.Out.WriteLine(body);
            if (response.Headers.TryGetValues("X-Amz-Function-Error", out IEnumerable<string>? error))
            {
                await Console.Error.WriteLineAsync($"handshake: the function failed ({error.First()})").ConfigureAwait(false);
                return 1;
            }

            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"handshake: cannot invoke {function} at {endpoint}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
