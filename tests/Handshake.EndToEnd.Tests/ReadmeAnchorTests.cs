using System.Text.RegularExpressions;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// The README's links within itself (the verbs table's `[...](#handshake-up)`, ...) lead to a heading: each anchor is
/// the GitHub id of one of its headings (lower case, punctuation but hyphens dropped, spaces as hyphens, a repeated
/// heading's id suffixed -1, -2, ...). A heading renamed without its links fails here, not on a newcomer's click.
/// </summary>
public sealed partial class ReadmeAnchorTests
{
    [Fact]
    public void Every_link_within_the_README_names_one_of_its_headings()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        HashSet<string> ids = [];
        Dictionary<string, int> seen = [];
        bool fenced = false;
        foreach (string line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced && HeadingPattern().Match(line) is { Success: true } heading)
            {
                string id = Slug(heading.Groups["text"].Value);
                int count = seen.GetValueOrDefault(id);
                seen[id] = count + 1;
                ids.Add(count == 0 ? id : $"{id}-{count}");
            }
        }

        List<string> broken = [];
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match link in AnchorLinkPattern().Matches(lines[i]))
            {
                if (!ids.Contains(link.Groups["id"].Value))
                {
                    broken.Add($"line {i + 1}: {link.Value}");
                }
            }
        }

        Assert.True(broken.Count == 0, $"links to no heading of README.md ({broken.Count}):\n  - {string.Join("\n  - ", broken)}");
        Assert.Contains("handshake-up", ids);
        Assert.Contains("handshake-bench-options", ids);
    }

    [Theory]
    [InlineData("`handshake up`", "handshake-up")]
    [InlineData("`handshake bench` options", "handshake-bench-options")]
    [InlineData("The experiment: `handshake bench` and `handshake demo`", "the-experiment-handshake-bench-and-handshake-demo")]
    [InlineData("Options (`FunctionHostOptions`)", "options-functionhostoptions")]
    public void Ids_are_GitHubs(string heading, string id) => Assert.Equal(id, Slug(heading));

    /// <summary>GitHub's heading id: lower case, letters, digits, spaces, hyphens and underscores kept, spaces as hyphens.</summary>
    private static string Slug(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")) && File.Exists(Path.Combine(directory.FullName, "README.md")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Handshake.slnx with a README.md above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"\]\(#(?<id>[^)\s]+)\)")]
    private static partial Regex AnchorLinkPattern();
}
