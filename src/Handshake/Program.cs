using System.CommandLine;
using Handshake.Commands;

// The `handshake` executable is a thin shell: each verb parses its options and calls into the libraries
// (Handshake.Dynamo, Handshake.Lambda, Handshake.Network). Composition lives in HandshakeServer, not here.
RootCommand root = new("Handshake: DynamoDB and Lambda on one machine, with every TCP connection counted.");

// The verbs, one line each. A verb is listed only when it works: no stubs.
// To add one: write Commands/<Verb>Command.cs with `internal static Command Create()` and add one line below.
Command[] verbs =
[
    UpCommand.Create(),
    ConnectionsCommand.Create(),
];
foreach (Command verb in verbs)
{
    root.Subcommands.Add(verb);
}

// Ctrl-C and SIGTERM cancel the action's CancellationToken; a verb that stops cleanly within this time exits normally.
InvocationConfiguration invocation = new() { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
return await root.Parse(args).InvokeAsync(invocation);
