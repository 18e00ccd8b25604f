using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

public sealed partial class FunctionHost
{
    private int _resumed;

    /// <summary>
    /// Starts what <see cref="RestoreSavedState"/> brought back and left waiting: the pollers of enabled event source
    /// mappings, and the delivery of the Event invocations the last host had accepted and not finished. They wait for
    /// this call, not for the constructor, because the functions they invoke may be declared after it (a project file
    /// loaded by <c>handshake up</c>, or a test that creates its functions): started at once, a restored invocation
    /// whose function is not declared yet would be dropped as ResourceNotFound. <c>handshake up</c> calls this once the
    /// project file is loaded; other users of the host call it once their functions are declared. Only the first call
    /// does anything. Invocations accepted and mappings created meanwhile run as usual.
    /// </summary>
    public void ResumeSavedWork()
    {
        if (Interlocked.Exchange(ref _resumed, 1) != 0 || IsStopping)
        {
            return;
        }

        EventSourceMappings.ResumeRestored();
        ResumeEventQueue();
    }

    /// <summary>
    /// At dispose: saved work was brought back but never started, as a user of the host that forgets
    /// <see cref="ResumeSavedWork"/> would leave it. Nothing is lost (it stays saved for the next start), but nothing ran.
    /// </summary>
    private void WarnIfNeverResumed()
    {
        if (Volatile.Read(ref _resumed) != 0)
        {
            return;
        }

        int events = Volatile.Read(ref _restoredEvents).Count;
        int mappings = EventSourceMappings.AwaitingResume;
        if (events + mappings > 0)
        {
            LogNeverResumed(_logger, events, mappings, StateDatabase.FilePath);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saved work restored from {Path} never ran (ResumeSavedWork was not called): {Events} Event invocations and {Mappings} enabled event source mappings stay saved for the next start")]
    private static partial void LogNeverResumed(ILogger logger, int events, int mappings, string path);
}
