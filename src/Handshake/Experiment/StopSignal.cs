using System.Runtime.InteropServices;

namespace Handshake.Experiment;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (kill(1), a service manager, a CI timeout) for every verb, taken by Program.cs before
/// anything else runs; System.CommandLine's own handling is off.
/// <para>
/// Why not System.CommandLine's: it registers its handlers only once the verb's action has returned its first
/// unfinished task. `up` starts the server before that (HandshakeServer.StartAsync often runs to the banner without
/// yielding), and Kestrel's generic host then registered its ConsoleLifetime, which also handled SIGINT and SIGTERM,
/// cancelled them and only asked a host lifetime that `up` does not watch to stop. A SIGTERM that landed between the two
/// (a test that signals as soon as the banner is out, a service manager stopping `up` while it starts) was swallowed:
/// `up` kept running (seen in CI, the third `up` of ExecutableTests' data-directory test; reproduced about one start in
/// four with a SIGTERM the moment the port accepts). Taken here first, a signal at any point after this cancels the
/// token the verb is given, and a start-up in progress stops as soon as it looks at it.
/// </para>
/// <para>
/// HandshakeServer no longer registers ConsoleLifetime (Composition/EmbeddedLifetime.cs): these handlers are the only
/// ones in the process, so without them a signal during start-up would end `up` by the runtime's default (status 130
/// or 143, the store not closed) instead of stopping it cleanly with status 0.
/// </para>
/// <para>
/// bench and demo also say in their report which of the two stopped them (<see cref="Name"/>).
/// </para>
/// </summary>
internal static class StopSignal
{
    // As System.CommandLine's ProcessTerminationTimeout: a verb that has not stopped this long after the signal is ended.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static volatile string s_name = "Ctrl-C";

    /// <summary>"Ctrl-C", or "SIGTERM" or "SIGQUIT" once one has arrived.</summary>
    public static string Name => s_name;

    /// <summary>
    /// Until disposed, SIGINT, SIGTERM and SIGQUIT cancel <paramref name="stop"/> instead of ending the process; a verb
    /// still running <see cref="StopTimeout"/> later is ended with <paramref name="interruptExit"/> (SIGINT),
    /// <paramref name="terminateExit"/> (SIGTERM) or <paramref name="quitExit"/> (SIGQUIT) as its exit status.
    /// SIGQUIT (Ctrl-\) stops as SIGTERM does, as Kestrel's ConsoleLifetime took it: by the runtime's default it would
    /// end the process at once, the store not closed and the functions killed only by their orphan guard.
    /// </summary>
    public static IDisposable Watch(CancellationTokenSource stop, int interruptExit, int terminateExit, int quitExit) => new Registrations(
        PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, "Ctrl-C", stop, interruptExit)),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, "SIGTERM", stop, terminateExit)),
        PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => Stop(context, "SIGQUIT", stop, quitExit)));

    private static void Stop(PosixSignalContext context, string name, CancellationTokenSource stop, int exit)
    {
        context.Cancel = true;
        if (stop.IsCancellationRequested)
        {
            return;
        }

        s_name = name;
        stop.Cancel();
        // The exit status of a run stopped by a signal that did not stop in time (a verb that stops in time returns
        // its own).
        _ = Task.Delay(StopTimeout).ContinueWith(_ => Environment.Exit(exit), TaskScheduler.Default);
    }

    private sealed class Registrations(params PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (PosixSignalRegistration registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
