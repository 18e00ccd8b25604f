using System.Runtime.InteropServices;
using Handshake.Composition;
using Handshake.Dynamo;

// Embeds HandshakeServer (in memory, port 0), or with the argument `store` the store alone (DynamoServer, in memory,
// port 0), and owns SIGINT and SIGTERM itself, as an embedding program may: the
// first of each signal is cancelled (the program and its server go on), the second is let through, so the runtime's
// default ends the process (status 128 + the signal). Each handler says on stdout what it did, so that the test knows
// the embedder's handler ran, not only that the process ended. It also ends, disposing the server, when its standard
// input closes (the test that started it is gone). EmbeddedSignalTests drives it.
IAsyncDisposable server;
Uri endpoint;
if (args is ["store"])
{
    DynamoServer store = await DynamoServer.StartAsync(new DynamoServerOptions { Port = 0 });
    (server, endpoint) = (store, new Uri($"http://127.0.0.1:{store.Port}"));
}
else
{
    HandshakeServer handshake = await HandshakeServer.StartAsync(new HandshakeServerOptions { InMemory = true, Port = 0 });
    (server, endpoint) = (handshake, handshake.Endpoint);
}

await using IAsyncDisposable stopped = server;

int interrupts = 0;
int terminations = 0;
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Decide(context, ref interrupts));
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Decide(context, ref terminations));

Console.WriteLine($"serving {endpoint}");
await Console.In.ReadToEndAsync();

static void Decide(PosixSignalContext context, ref int count)
{
    bool first = Interlocked.Increment(ref count) == 1;
    context.Cancel = first;
    Console.WriteLine($"{context.Signal} {(first ? "cancelled" : "let through")}");
}
