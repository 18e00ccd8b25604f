namespace Handshake.Experiment;

/// <summary>Writes --json and --html, saying where; a path that cannot be written is one line on stderr.</summary>
internal static class BenchReports
{
    public static async Task<bool> WriteAsync(BenchRun run)
    {
        bool ok = true;
        if (run.Options.JsonPath is { } json)
        {
            ok &= await TryWriteAsync(json, "JSON results", path => BenchJson.WriteAsync(run, path)).ConfigureAwait(false);
        }

        if (run.Options.HtmlPath is { } html)
        {
            ok &= await TryWriteAsync(html, "HTML report", path => BenchHtml.WriteAsync(run, path)).ConfigureAwait(false);
        }

        return ok;
    }

    private static async Task<bool> TryWriteAsync(string path, string what, Func<string, Task> write)
    {
        string full = Path.GetFullPath(path);
        try
        {
            if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            await write(full).ConfigureAwait(false);
            Console.WriteLine($"{what}: {full}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"handshake: cannot write the {what} to {full}: {e.Message}").ConfigureAwait(false);
            return false;
        }
    }
}
