using System.Runtime.InteropServices;

namespace Handshake.Experiment;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (kill(1), a service manager, a CI timeout) for bench and demo, which say in their report
/// which of the two stopped them. System.CommandLine's own handling cannot tell: its handler, which .NET runs before
/// any registered later, returns only once the verb has finished, after the report is printed. So for these two verbs
/// the program handles both signals here and System.CommandLine's handling is off (Program.cs).
/// </summary>
internal static class StopSignal
{
    // As System.CommandLine's ProcessTerminationTimeout: a verb that has not stopped this long after the signal is ended.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static volatile string s_name = "Ctrl-C";

    /// <summary>"Ctrl-C", or "SIGTERM" once one has arrived.</summary>
    public static string Name => s_name;

    /// <summary>Until disposed, SIGINT and SIGTERM cancel <paramref name="stop"/> instead of ending the process.</summary>
    public static IDisposable Watch(CancellationTokenSource stop) => new Registrations(
        PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, "Ctrl-C", stop)),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, "SIGTERM", stop)));

    private static void Stop(PosixSignalContext context, string name, CancellationTokenSource stop)
    {
        context.Cancel = true;
        if (stop.IsCancellationRequested)
        {
            return;
        }

        s_name = name;
        stop.Cancel();
        // The exit status of a run stopped by a signal (the verb returns it itself when it stops in time).
        _ = Task.Delay(StopTimeout).ContinueWith(_ => Environment.Exit(130), TaskScheduler.Default);
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
