using System.CommandLine;

namespace Handshake.Commands;

/// <summary>
/// The command tree of the `handshake` executable: the root and its verbs. Program.cs parses with it; the README test
/// (tests/Handshake.EndToEnd.Tests/ReadmeCliTests.cs) reads the same tree, so every verb and option it finds is one the
/// executable has.
/// </summary>
internal static class Verbs
{
    internal static RootCommand CreateRoot()
    {
        RootCommand root = new("Handshake: DynamoDB and Lambda on one machine, with every TCP connection counted.");

        // The verbs, one line each. A verb is listed only when it works: no stubs.
        // To add one: write Commands/<Verb>Command.cs with `internal static Command Create()`, add one line below, and
        // document it in the README (its row in the verbs table, and each option; ReadmeCliTests checks).
        Command[] verbs =
        [
            UpCommand.Create(),
            ConnectionsCommand.Create(),
            BenchCommand.Create(),
            DemoCommand.Create(),
            InvokeCommand.Create(),
            LogsCommand.Create(),
        ];
        foreach (Command verb in verbs)
        {
            root.Subcommands.Add(verb);
        }

        return root;
    }
}
