using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.RegularExpressions;
using Handshake.Commands;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// The README documents every verb and option of the `handshake` CLI, and nothing the CLI does not have. The CLI side is
/// the executable's own command tree (<see cref="Verbs.CreateRoot"/>, what Program.cs parses with), read in-process; the
/// README side is read from README.md at the repository root, in code only (code spans and fenced code blocks, and the
/// option tables' first two columns), never from prose words:
/// <list type="bullet">
/// <item>the verbs table (header <c>| verb |</c>): one row per verb, each naming the README section (README `NAME`)
/// that documents its options;</item>
/// <item>an option table (header <c>| option | default |</c>) under a heading that names <c>`handshake VERB`</c>: that
/// verb's options, one row each, with their defaults;</item>
/// <item>a usage: <c>handshake VERB ...</c> (or <c>-- VERB ...</c> after <c>dotnet run --project src/Handshake</c>) in
/// a code block or a code span, or a code span that starts with the verb (<c>`up --auth strict`</c>): every
/// <c>-x</c>/<c>--xy</c> token after the verb is an option of that verb.</item>
/// </list>
/// An option is documented by its row in its verb's option table when the verb has one, else by a usage in the section
/// the verbs table names; an alias by a usage anywhere or a table row. Defaults: a table's default column against the
/// option's default value (a flag's is `off`), or against the default its help states in words ("default 130s") when it
/// has no value of its own; <c>[--option VALUE]</c> in a usage, VALUE not a placeholder such as URL, against the
/// default; "`--option` defaults to `VALUE`" likewise. Each failure lists everything that disagrees, with line numbers.
/// </summary>
public sealed partial class ReadmeCliTests
{
    private static readonly RootCommand Root = Verbs.CreateRoot();
    private static readonly Lazy<Readme> Doc = new(Readme.Load);

    private static IEnumerable<Command> VerbCommands => Root.Subcommands;

    [Fact]
    public void The_verbs_table_has_one_row_per_verb_and_no_other()
    {
        Readme readme = Doc.Value;
        List<string> problems = [];
        HashSet<string> verbs = [.. VerbCommands.Select(v => v.Name)];
        foreach (string verb in verbs.Where(v => !readme.VerbRows.ContainsKey(v)))
        {
            problems.Add($"`{verb}` has no row in the verbs table (| verb | what it does | options |)");
        }

        foreach ((string verb, VerbRow row) in readme.VerbRows)
        {
            if (!verbs.Contains(verb))
            {
                problems.Add($"the verbs table (line {row.Line}) has `{verb}`, which is not a verb of handshake (verbs: {string.Join(", ", verbs)})");
            }
            else if (row.Section is null || !readme.Sections.ContainsKey(row.Section))
            {
                problems.Add($"the verbs table's row for `{verb}` (line {row.Line}) names no README section that exists (README `NAME`; sections: {string.Join(", ", readme.Sections.Keys)})");
            }
        }

        foreach (Option option in Root.Options.Where(o => o is not HelpOption))
        {
            if (!readme.CodeSpans.Any(s => s.Text == $"handshake {option.Name}"))
            {
                problems.Add($"the root option {option.Name} is not written as `handshake {option.Name}` anywhere");
            }
        }

        if (!readme.CodeSpans.Any(s => s.Text == "handshake --help"))
        {
            problems.Add("`handshake --help` is not mentioned");
        }

        Report("README.md and the CLI's verbs disagree", problems);
    }

    [Fact]
    public void Every_option_and_alias_of_every_verb_is_documented()
    {
        Readme readme = Doc.Value;
        List<string> problems = [];
        foreach (Command verb in VerbCommands)
        {
            // Where the verbs table says the options are; the whole README when it has no (usable) row, which the test
            // above reports.
            (int from, int to) section = readme.VerbRows.TryGetValue(verb.Name, out VerbRow? row) && row.Section is { } name
                && readme.Sections.TryGetValue(name, out (int, int) range) ? range : (0, int.MaxValue);
            string where = row?.Section is { } s ? $"README `{s}`" : "README.md";
            List<OptionTable> tables = [.. readme.OptionTables.Where(t => t.Verb == verb.Name && t.Line >= section.from && t.Line <= section.to)];
            List<Usage> usagesInSection = [.. readme.Usages.Where(u => u.Verb == verb.Name && u.Line >= section.from && u.Line <= section.to)];
            List<Usage> usagesAnywhere = [.. readme.Usages.Where(u => u.Verb == verb.Name)];

            foreach (Option option in OwnOptions(verb))
            {
                if (tables.Count > 0)
                {
                    if (!tables.Any(t => t.Rows.Any(r => r.Option == option.Name)))
                    {
                        problems.Add($"{verb.Name} {option.Name}: no row in the `handshake {verb.Name}` option table ({where}, line {tables[0].Line})");
                    }
                }
                else if (!usagesInSection.Any(u => u.Options.Contains(option.Name)))
                {
                    problems.Add($"{verb.Name} {option.Name}: written in no usage `handshake {verb.Name} ... {option.Name}` in {where}, which the verbs table points to");
                }

                foreach (string alias in option.Aliases)
                {
                    if (!usagesAnywhere.Any(u => u.Options.Contains(alias)) && !tables.Any(t => t.Rows.Any(r => r.Tokens.Contains(alias))))
                    {
                        problems.Add($"{verb.Name} {option.Name}: its alias {alias} is written in no usage `handshake {verb.Name} ... {alias}` and no option table row");
                    }
                }
            }
        }

        Report("options of the CLI that README.md does not document", problems);
    }

    [Fact]
    public void Every_option_the_README_writes_after_a_verb_is_one_the_verb_has()
    {
        Readme readme = Doc.Value;
        Dictionary<string, Command> verbs = VerbCommands.ToDictionary(v => v.Name);
        List<string> problems = [];
        foreach (Usage usage in readme.Usages)
        {
            if (!verbs.TryGetValue(usage.Verb, out Command? verb))
            {
                problems.Add($"line {usage.Line}: `{usage.Text}` uses the verb `{usage.Verb}`, which handshake does not have");
                continue;
            }

            foreach (string option in usage.Options.Where(o => !Names(verb).Contains(o)))
            {
                problems.Add($"line {usage.Line}: `{usage.Text}`: {verb.Name} has no option {option}");
            }
        }

        foreach (OptionTable table in readme.OptionTables)
        {
            if (!verbs.TryGetValue(table.Verb, out Command? verb))
            {
                problems.Add($"line {table.Line}: an option table under a heading naming `handshake {table.Verb}`, which is not a verb");
                continue;
            }

            foreach (OptionRow row in table.Rows)
            {
                foreach (string option in row.Tokens.Where(t => !Names(verb).Contains(t)))
                {
                    problems.Add($"line {row.Line}: the `handshake {verb.Name}` option table has {option}, which {verb.Name} does not have");
                }
            }
        }

        Report("options README.md writes that the CLI does not have", problems);
    }

    [Fact]
    public void The_defaults_the_README_states_are_the_CLIs()
    {
        Readme readme = Doc.Value;
        Dictionary<string, Command> verbs = VerbCommands.ToDictionary(v => v.Name);
        List<string> problems = [];

        // Option tables: the default column against the option's default value, or against the default its help
        // description states when it has no value of its own (a nullable option whose default is decided later) or one
        // that depends on the machine (one per core).
        foreach (OptionTable table in readme.OptionTables.Where(t => verbs.ContainsKey(t.Verb)))
        {
            foreach (OptionRow row in table.Rows)
            {
                if (verbs[table.Verb].Options.FirstOrDefault(o => o.Name == row.Option) is not { } option)
                {
                    continue;
                }

                string cell = row.Default.Replace("`", "", StringComparison.Ordinal).Trim();
                string subject = $"line {row.Line}: {table.Verb} {option.Name}: the README's default '{row.Default}'";
                if (DescribedDefault(option) is { } described)
                {
                    if (!cell.Contains(described, StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add($"{subject} is not the help's \"default {described}\"");
                    }
                }
                else if (option.ValueType == typeof(bool))
                {
                    if (!cell.Equals("off", StringComparison.Ordinal))
                    {
                        problems.Add($"{subject}: a flag is off unless given, so the README says `off`");
                    }
                }
                else if (option.HasDefaultValue)
                {
                    string expected = Format(option.GetDefaultValue());
                    string? stated = FirstCodeSpan(row.Default);
                    if (stated is null || !SameValue(stated, expected))
                    {
                        problems.Add($"{subject} is not the CLI's default `{expected}`");
                    }
                }
                else if (FirstCodeSpan(row.Default) is { } stated)
                {
                    problems.Add($"{subject} gives the value `{stated}`, but the CLI has no default and its help states none");
                }
            }
        }

        // Usages with an optional option and a value that is not a placeholder: `handshake demo [--invocations 2000]`.
        foreach (Usage usage in readme.Usages.Where(u => verbs.ContainsKey(u.Verb)))
        {
            foreach ((string name, string value) in usage.BracketedValues)
            {
                if (verbs[usage.Verb].Options.FirstOrDefault(o => Names(o).Contains(name)) is not { } option)
                {
                    continue;
                }

                if (!option.HasDefaultValue)
                {
                    problems.Add($"line {usage.Line}: `{usage.Text}` shows [{name} {value}] as if it were the default, but {usage.Verb} {name} has none");
                }
                else if (!SameValue(value, Format(option.GetDefaultValue())))
                {
                    problems.Add($"line {usage.Line}: `{usage.Text}` shows [{name} {value}], but the default of {usage.Verb} {name} is {Format(option.GetDefaultValue())}");
                }
            }
        }

        // Prose of the form "`--payload` defaults to `{}`", when one verb alone has the option.
        foreach (Match match in DefaultsToPattern().Matches(readme.Text))
        {
            string name = match.Groups["option"].Value;
            List<Option> options = [.. VerbCommands.SelectMany(v => v.Options).Where(o => Names(o).Contains(name))];
            if (options is [{ HasDefaultValue: true } option] && !SameValue(match.Groups["value"].Value, Format(option.GetDefaultValue())))
            {
                problems.Add($"README: \"{match.Value}\", but the CLI's default of {name} is {Format(option.GetDefaultValue())}");
            }
        }

        Report("defaults README.md states that are not the CLI's", problems);
    }

    [Fact]
    public void The_defaults_the_help_states_in_words_are_the_ones_used()
    {
        // An option with no default value of its own says in its description what happens without it; the README's
        // tables are checked against those words above, and the words here against the libraries that decide.
        Command up = VerbCommands.Single(v => v.Name == "up");
        Command bench = VerbCommands.Single(v => v.Name == "bench");
        Handshake.Lambda.FunctionHostOptions host = new();
        TimeSpan kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits().KeepAliveTimeout;

        Assert.Equal(host.MaxQueuedInvocationsPerFunction.ToString(CultureInfo.InvariantCulture), DescribedDefault(OptionOf(up, "--max-queued-invocations")));
        Assert.Equal(host.IdleTimeout, DescribedDuration(OptionOf(up, "--environment-idle-timeout")));
        Assert.Equal(kestrel, DescribedDuration(OptionOf(up, "--store-idle-timeout")));
        Assert.Equal(kestrel, DescribedDuration(OptionOf(bench, "--store-idle-timeout")));
        Assert.Contains("default 8 per core, at least 4", OptionOf(up, "--account-concurrency").Description, StringComparison.Ordinal);
        Assert.Equal(Math.Max(4, Environment.ProcessorCount * 8), Handshake.Lambda.FunctionHostOptions.DefaultAccountConcurrencyLimit);
        Option environments = OptionOf(bench, "--environments");
        Assert.Equal("one per core", DescribedDefault(environments));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), environments.GetDefaultValue());

        // --auth: its default in the words it takes ("off"), not a default value, which the help would print as the
        // enum's name ("[default: Off]", a word the README does not use).
        Option auth = OptionOf(up, "--auth");
        Assert.Equal("off", DescribedDefault(auth));
        Assert.False(auth.HasDefaultValue);
    }

    private static Option OptionOf(Command verb, string name) => verb.Options.Single(o => o.Name == name);

    private static TimeSpan? DescribedDuration(Option option) =>
        DescribedDefault(option) is { } text && Duration.TryParse(text, out TimeSpan value) ? value : null;

    /// <summary>A verb's own options: not --help, which System.CommandLine gives every command and the README names once.</summary>
    private static IEnumerable<Option> OwnOptions(Command verb) => verb.Options.Where(o => o is not HelpOption and not VersionOption && !o.Hidden);

    private static HashSet<string> Names(Command verb) => [.. verb.Options.SelectMany(Names)];

    private static HashSet<string> Names(Option option) => [option.Name, .. option.Aliases];

    /// <summary>"130s" from "Close ... (default 130s, Kestrel's; at least 1s)."; null when the description states none.</summary>
    private static string? DescribedDefault(Option option) =>
        option.Description is { } description && DescribedDefaultPattern().Match(description) is { Success: true } match
            ? match.Groups["value"].Value.Trim()
            : null;

    private static string? FirstCodeSpan(string cell) =>
        CodeSpanPattern().Match(cell) is { Success: true } match ? match.Groups["text"].Value : null;

    private static string Format(object? value) => value switch
    {
        null => "",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The same value: case aside (an enum's `Off` is written `off`), and a number's digit separators aside.</summary>
    private static bool SameValue(string written, string expected)
    {
        if (long.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            written = written.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        }

        return written.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private static void Report(string what, List<string> problems) =>
        Assert.True(problems.Count == 0, $"{what} ({problems.Count}):\n  - {string.Join("\n  - ", problems)}");

    [GeneratedRegex(@"[Dd]efault:?\s+(?<value>[^,;()]+?)(?:[,;)]|\.\s|\.?$)")]
    private static partial Regex DescribedDefaultPattern();

    [GeneratedRegex(@"`(?<text>[^`\n]+)`")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"`(?<option>--[\w-]+)` defaults to `(?<value>[^`\n]+)`")]
    private static partial Regex DefaultsToPattern();

    private sealed record VerbRow(int Line, string? Section);

    private sealed record OptionRow(int Line, string Option, IReadOnlyList<string> Tokens, string Default);

    private sealed record OptionTable(int Line, string Verb, IReadOnlyList<OptionRow> Rows);

    private sealed record CodeSpan(int Line, string Text);

    /// <summary>A verb and what follows it, as written: its option tokens, and [--option VALUE] pairs.</summary>
    private sealed record Usage(int Line, string Text, string Verb, IReadOnlyList<string> Options, IReadOnlyList<(string Name, string Value)> BracketedValues);

    /// <summary>README.md, read for its code: sections, the verbs table, option tables, code spans and usages.</summary>
    private sealed partial class Readme
    {
        public required string Text { get; init; }
        public Dictionary<string, (int From, int To)> Sections { get; } = [];
        public Dictionary<string, VerbRow> VerbRows { get; } = [];
        public List<OptionTable> OptionTables { get; } = [];
        public List<CodeSpan> CodeSpans { get; } = [];
        public List<Usage> Usages { get; } = [];

        public static Readme Load()
        {
            string path = Path.Combine(RepositoryRoot(), "README.md");
            string text = File.ReadAllText(path);
            Readme readme = new() { Text = text };
            readme.Read(text.Split('\n'));
            return readme;
        }

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

        // Line numbers are 1-based, as an editor shows them.
        private void Read(string[] lines)
        {
            bool fenced = false;
            string heading = "";
            string pending = "";
            int pendingLine = 0;

            // A paragraph's code spans are read once it ends: a span may wrap onto the next line.
            List<string> paragraph = [];
            int paragraphLine = 0;
            void EndParagraph()
            {
                ReadSpans(paragraphLine, string.Join('\n', paragraph));
                paragraph.Clear();
            }

            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                int number = i + 1;
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    EndParagraph();
                    fenced = !fenced;
                    continue;
                }

                if (fenced)
                {
                    // A shell line: its comment is not part of the command; a trailing backslash continues it.
                    string code = ShellCommentPattern().Replace(line, "");
                    if (pending.Length == 0)
                    {
                        pendingLine = number;
                    }

                    if (code.EndsWith('\\'))
                    {
                        pending += code[..^1] + " ";
                        continue;
                    }

                    ReadUsages(pendingLine, pending + code, spanStartsWithVerb: false);
                    pending = "";
                    continue;
                }

                if (line.Trim().Length == 0 || line.StartsWith('#') || line.StartsWith('|') || line.StartsWith("<!--", StringComparison.Ordinal))
                {
                    EndParagraph();
                }

                if (SectionPattern().Match(line) is { Success: true } section)
                {
                    string name = section.Groups["name"].Value;
                    if (section.Groups["end"].Success)
                    {
                        Sections[name] = (Sections.TryGetValue(name, out (int From, int) open) ? open.From : 0, number);
                    }
                    else
                    {
                        Sections[name] = (number, int.MaxValue);
                    }

                    continue;
                }

                if (line.StartsWith('#'))
                {
                    heading = line;
                    continue;
                }

                if (line.StartsWith('|') && i + 1 < lines.Length && lines[i + 1].StartsWith("|---", StringComparison.Ordinal))
                {
                    i = ReadTable(lines, i, heading);
                    continue;
                }

                if (paragraph.Count == 0)
                {
                    paragraphLine = number;
                }

                paragraph.Add(line);
            }

            EndParagraph();
        }

        /// <summary>The code spans of <paramref name="text"/>, whose first line is <paramref name="number"/>.</summary>
        private void ReadSpans(int number, string text)
        {
            foreach (Match span in ParagraphSpanPattern().Matches(text))
            {
                int line = number + text.AsSpan(0, span.Index).Count('\n');
                string code = span.Groups["text"].Value.Replace('\n', ' ');
                CodeSpans.Add(new CodeSpan(line, code));
                ReadUsages(line, code, spanStartsWithVerb: true);
            }
        }

        /// <summary>Reads the table that starts at <paramref name="start"/>; returns the index of its last line.</summary>
        private int ReadTable(string[] lines, int start, string heading)
        {
            string[] header = Cells(lines[start]);
            string? verb = HeadingVerbPattern().Match(heading) is { Success: true } m ? m.Groups["verb"].Value : null;
            List<OptionRow> rows = [];
            int i = start + 2;
            for (; i < lines.Length && lines[i].StartsWith('|'); i++)
            {
                string[] cells = Cells(lines[i]);
                int number = i + 1;
                if (header[0] == "verb" && cells.Length >= 3 && FirstCodeSpan(cells[0]) is { } verbCell)
                {
                    string name = verbCell.Split(' ')[0];
                    VerbRows[name] = new VerbRow(number, ReadmePointerPattern().Match(cells[2]) is { Success: true } p ? p.Groups["section"].Value : null);
                    ReadUsages(number, verbCell, spanStartsWithVerb: true);
                }
                else if (header is ["option", "default", ..] && verb is not null && cells.Length >= 2)
                {
                    List<string> tokens = [.. CodeSpanPattern().Matches(cells[0]).SelectMany(s => OptionTokens(s.Groups["text"].Value))];
                    if (tokens.Count > 0)
                    {
                        rows.Add(new OptionRow(number, tokens[0], tokens, cells[1]));
                    }
                }

                // The other cells' spans are prose's: `up --tls` in a description is a usage like any other.
                foreach (string cell in header[0] == "option" && verb is not null ? cells.Skip(1) : header[0] == "verb" ? cells.Skip(1) : cells)
                {
                    ReadSpans(number, cell);
                }
            }

            if (header is ["option", "default", ..] && verb is not null)
            {
                OptionTables.Add(new OptionTable(start + 1, verb, rows));
            }

            return i - 1;
        }

        /// <summary>
        /// `handshake VERB ...` (or `-- VERB ...`, as after `dotnet run --project src/Handshake`) anywhere in
        /// <paramref name="text"/>; with <paramref name="spanStartsWithVerb"/>, also a code span that starts with a verb.
        /// </summary>
        private void ReadUsages(int number, string text, bool spanStartsWithVerb)
        {
            List<(int Index, string Verb, int End)> starts = [];
            foreach (Match match in UsagePattern().Matches(text))
            {
                starts.Add((match.Index, match.Groups["verb"].Value, match.Index + match.Length));
            }

            if (spanStartsWithVerb && starts.Count == 0 && SpanVerbPattern().Match(text) is { Success: true } bare
                && VerbCommands.Any(v => v.Name == bare.Groups["verb"].Value))
            {
                starts.Add((0, bare.Groups["verb"].Value, bare.Length));
            }

            foreach ((int index, string verb, int end) in starts)
            {
                // The command ends where the line, its code span, a pipe or another command does.
                string rest = text[end..];
                int stop = rest.IndexOfAny(['`', '#', ';', '&', '(', ')']);
                int pipe = rest.IndexOf(" | ", StringComparison.Ordinal);
                if (pipe >= 0 && (stop < 0 || pipe < stop))
                {
                    stop = pipe;
                }

                rest = stop < 0 ? rest : rest[..stop];
                List<(string, string)> bracketed = [];
                foreach (Match pair in BracketedPattern().Matches(rest))
                {
                    if (!PlaceholderPattern().IsMatch(pair.Groups["value"].Value))
                    {
                        bracketed.Add((pair.Groups["option"].Value, pair.Groups["value"].Value));
                    }
                }

                Usages.Add(new Usage(number, (text[index..end] + rest).Trim(), verb, [.. OptionTokens(rest)], bracketed));
            }
        }

        /// <summary>The -x and --xy tokens of a command's words: `[--follow|-f]` gives both.</summary>
        private static IEnumerable<string> OptionTokens(string words)
        {
            foreach (string word in words.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (string part in word.Trim('[', ']', ',', '.').Split('|'))
                {
                    string token = part.Trim('[', ']', '\\');
                    if (OptionTokenPattern().IsMatch(token))
                    {
                        yield return token;
                    }
                }
            }
        }

        private static string[] Cells(string row) =>
            [.. row.Trim().Trim('|').Replace("\\|", "\u0001", StringComparison.Ordinal).Split('|').Select(c => c.Replace("\u0001", "|", StringComparison.Ordinal).Trim())];

        [GeneratedRegex(@"`(?<text>[^`]+)`")]
        private static partial Regex ParagraphSpanPattern();

        [GeneratedRegex(@"^<!-- (?<end>/)?section:(?<name>[\w-]+) -->")]
        private static partial Regex SectionPattern();

        [GeneratedRegex(@"`handshake (?<verb>[a-z][\w-]*)`")]
        private static partial Regex HeadingVerbPattern();

        [GeneratedRegex(@"README `(?<section>[\w-]+)`")]
        private static partial Regex ReadmePointerPattern();

        // `handshake VERB`, or `dotnet run ... --project src/Handshake -- VERB` (not another project's `-- store`).
    [GeneratedRegex(@"(?:(?<![\w.-])handshake|--project\s+src/Handshake/?\s+--)\s+(?<verb>[a-z][\w-]*)(?![\w.-])")]
        private static partial Regex UsagePattern();

        [GeneratedRegex(@"^(?<verb>[a-z][\w-]*)(?=\s|$)")]
        private static partial Regex SpanVerbPattern();

        [GeneratedRegex(@"\[(?<option>--?[A-Za-z][\w-]*)\s+(?<value>[^\]\s]+)\]")]
        private static partial Regex BracketedPattern();

        // NAME, JSON, URL, DIR, N, D, NAME[:QUALIFIER]: stands for a value rather than being one.
        [GeneratedRegex(@"^[A-Z][A-Z0-9_:\[\]]*$")]
        private static partial Regex PlaceholderPattern();

        [GeneratedRegex(@"^--?[A-Za-z?][\w-]*$")]
        private static partial Regex OptionTokenPattern();

        [GeneratedRegex(@"(^|\s)#.*$")]
        private static partial Regex ShellCommentPattern();
    }
}
