using System.Globalization;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// Examples in README.md that a newcomer copies, kept true against the code: the handshake.json example (the
/// <c>```jsonc</c> block under "Declaring functions") loads as written and declares what its comments say, and the
/// banner block under `handshake up` is, line for line, what `up` prints when started in a project directory holding
/// that very file (the port, the project's path and the start-up time being the run's own). Both are read from the
/// README at test time, so an edit to either example, or to what `up` prints, that makes them disagree fails here.
/// </summary>
public sealed partial class ReadmeExamplesTests : IDisposable
{
    /// <summary>The project directory the README's examples show (`/home/me/project`), and the port they show.</summary>
    private const string ReadmeProject = "/home/me/project";
    private const string ReadmePort = "4566";

    private readonly string _project = Directory.CreateTempSubdirectory("handshake-readme-").FullName;

    [Fact]
    public void The_handshake_json_example_loads_and_declares_what_its_comments_say()
    {
        string file = WriteReadmeProject();

        FunctionDefinition function = Assert.Single(ProjectFile.Load(file));

        Assert.Equal("put-record", function.Name);
        Assert.Equal("nodejs20.x", function.Runtime);
        Assert.Equal("v3.handler", function.Handler);
        Assert.Equal(Path.Combine(_project, "samples", "put-record-node"), function.CodeDirectory);
        Assert.Equal(128, function.MemorySize);
        Assert.Equal(3, function.Timeout);
        Assert.Equal(new Dictionary<string, string> { ["TABLE_NAME"] = "records" }, function.Environment);
        Assert.Equal(4, function.ReservedConcurrency);
        Assert.Equal(new FunctionLogging("JSON", "DEBUG", "INFO", null), function.Logging);

        // The example is the repository's own sample: its code directory exists here, and the handler names its export.
        string sample = Path.Combine(RepositoryRoot(), "samples", "put-record-node", "v3.js");
        Assert.True(File.Exists(sample), $"{sample} (the example's code and handler) does not exist");
        Assert.Contains("exports.handler", File.ReadAllText(sample), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_up_banner_is_what_the_README_shows()
    {
        WriteReadmeProject();
        List<string> expected = ReadmeBlock(lines => lines.Count > 0 && lines[0].StartsWith("Handshake is up on ", StringComparison.Ordinal), "the `handshake up` banner");

        // Started as the README starts it, in the project directory, with its default data directory (./.handshake).
        using HandshakeProcess process = HandshakeProcess.Start(_project, "up", "--port", "0");
        List<string> banner = await process.ReadUntilAsync("Press Ctrl-C");
        string port = new Uri(banner.Select(l => ExportLine().Match(l)).First(m => m.Success).Groups[1].Value).Port.ToString(CultureInfo.InvariantCulture);

        List<string> problems = [];
        for (int i = 0; i < Math.Max(expected.Count, banner.Count); i++)
        {
            string? want = i < expected.Count ? expected[i] : null;
            string? got = i < banner.Count ? banner[i] : null;
            if (want is null || got is null || !Pattern(want, port).IsMatch(got))
            {
                problems.Add($"line {i + 1}: README `{want ?? "(none)"}`, up `{got ?? "(none)"}`");
            }
        }

        Assert.True(problems.Count == 0, "README.md's `handshake up` banner and what up prints disagree:\n" + string.Join('\n', problems));

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    /// <summary>
    /// A README banner line as a pattern for the run's line: the README's project directory and port become this run's,
    /// `ready N ms` any number, and the cgroup version (`v1 pids`) either of the two the host uses (which one depends on
    /// the machine's cgroup mounts); everything else must be equal.
    /// </summary>
    private Regex Pattern(string readmeLine, string port)
    {
        string text = Regex.Escape(readmeLine.Replace(ReadmeProject, _project, StringComparison.Ordinal).Replace(":" + ReadmePort, ":" + port, StringComparison.Ordinal));
        text = text.Replace(Regex.Escape("(cgroup v1 pids)"), Regex.Escape("(cgroup ") + "(v1 pids|v2)" + Regex.Escape(")"), StringComparison.Ordinal);
        return new Regex("^" + text.Replace(Regex.Escape("ready N ms"), @"ready \d+ ms", StringComparison.Ordinal) + "$");
    }

    /// <summary>
    /// Writes the README's handshake.json into the test's project directory, with the code directory it names (a stub:
    /// declaring a function hashes its code, and the banner only names it).
    /// </summary>
    private string WriteReadmeProject()
    {
        List<string> json = ReadmeBlock(lines => lines.Any(l => l.Contains("\"functions\"", StringComparison.Ordinal)), "the handshake.json example", language: "jsonc");
        string file = Path.Combine(_project, ProjectFile.DefaultFileName);
        File.WriteAllLines(file, json);
        string code = Directory.CreateDirectory(Path.Combine(_project, "samples", "put-record-node")).FullName;
        File.WriteAllText(Path.Combine(code, "v3.js"), "exports.handler = async () => ({});\n");
        return file;
    }

    /// <summary>The lines of the one fenced block of README.md in <paramref name="language"/> (none: a bare fence) that <paramref name="match"/> accepts.</summary>
    private static List<string> ReadmeBlock(Func<List<string>, bool> match, string what, string language = "")
    {
        List<List<string>> blocks = [];
        List<string>? block = null;
        bool inBlock = false;
        foreach (string line in File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (!inBlock)
                {
                    // An opening fence: collect the block only when it is in the language asked for.
                    block = line[3..].Trim() == language ? [] : null;
                }
                else if (block is not null)
                {
                    blocks.Add(block);
                }

                inBlock = !inBlock;
                continue;
            }

            if (inBlock)
            {
                block?.Add(line);
            }
        }

        List<List<string>> found = [.. blocks.Where(match)];
        Assert.True(found.Count == 1, $"README.md has {found.Count} blocks that look like {what}; expected one");
        return found[0];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("not run from a Handshake checkout");
    }

    [GeneratedRegex(@"^export AWS_ENDPOINT_URL=(\S+)$")]
    private static partial Regex ExportLine();

    public void Dispose() => Directory.Delete(_project, recursive: true);
}
