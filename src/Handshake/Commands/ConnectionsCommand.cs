using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Handshake.Commands;

/// <summary><c>handshake connections</c>: the endpoint's connection accounting as a table.</summary>
internal static class ConnectionsCommand
{
    internal static Command Create()
    {
        Option<Uri> endpoint = CommandOptions.Endpoint();
        Command command = new("connections", "Show the TCP connections the endpoint accepted, by function environment and client.")
        {
            endpoint,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(endpoint)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        JsonDocument report;
        try
        {
            using HttpClient client = new() { Timeout = TimeSpan.FromSeconds(10) };
            using HttpResponseMessage response = await client.GetAsync(new Uri(endpoint, "/_handshake/connections"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"handshake: {endpoint} answered {(int)response.StatusCode} for /_handshake/connections; is it a Handshake endpoint?").ConfigureAwait(false);
                return 1;
            }

            // Parsed as a document, not deserialized: no reflection, so the NativeAOT build of `handshake` keeps this verb.
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            report = await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"handshake: cannot read connections from {endpoint}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using (report)
        {
            // Redirected output has no terminal width; keep rows whole rather than wrapped at 80 columns.
            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = 200;
            }

            AnsiConsole.Write(Render(report.RootElement));
        }

        return 0;
    }

    internal static Table Render(JsonElement report)
    {
        Table table = new Table().Title("TCP connections to the endpoint").Border(TableBorder.Rounded);
        table.AddColumns("Function", "Environment", "Access key", "Opened", "Active", "TLS", "Requests", "Req/conn", "Bytes in", "Bytes out");
        foreach (int column in new[] { 3, 4, 5, 6, 7, 8, 9 })
        {
            table.Columns[column].RightAligned();
        }

        foreach (JsonElement function in report.GetProperty("functions").EnumerateArray())
        {
            string name = function.GetProperty("functionName").GetString()!;
            foreach (JsonElement environment in function.GetProperty("environments").EnumerateArray())
            {
                AddRow(table, name, environment.GetProperty("environmentId").GetString()!,
                    environment.GetProperty("accessKeyId").GetString()!, environment.GetProperty("totals"));
            }
        }

        foreach (JsonElement client in report.GetProperty("clients").EnumerateArray())
        {
            AddRow(table, "(outside the host)", "", client.GetProperty("accessKeyId").GetString()!, client.GetProperty("totals"));
        }

        JsonElement unsigned = report.GetProperty("unsigned");
        if (unsigned.GetProperty("opened").GetInt64() > 0)
        {
            AddRow(table, "(no signed request)", "", "", unsigned);
        }

        table.AddEmptyRow();
        AddRow(table, "[bold]Total[/]", "", "", report.GetProperty("totals"));
        return table;
    }

    private static void AddRow(Table table, string function, string environment, string accessKey, JsonElement totals)
    {
        long opened = totals.GetProperty("opened").GetInt64();
        long requests = totals.GetProperty("requests").GetInt64();
        table.AddRow(
            function.StartsWith("[bold]", StringComparison.Ordinal) ? function : Markup.Escape(function),
            Markup.Escape(environment),
            Markup.Escape(accessKey),
            opened.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            totals.GetProperty("active").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            totals.GetProperty("tls").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            requests.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            opened == 0 ? "-" : ((double)requests / opened).ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
            totals.GetProperty("bytesIn").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            totals.GetProperty("bytesOut").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
    }
}
