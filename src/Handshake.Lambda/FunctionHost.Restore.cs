namespace Handshake.Lambda;

public sealed partial class FunctionHost
{
    /// <summary>
    /// Brings back, at start, what the last host on this data directory was told and had accepted (see
    /// <see cref="StateDatabase"/>): first the functions, with their versions, aliases, URLs and settings; then what
    /// refers to them: event source mappings and the Event invocations not yet finished. Then the unpacked code none of
    /// them uses is removed (FunctionHost.UnpackedCode.cs).
    /// </summary>
    private void RestoreSavedState()
    {
        RestoreSavedFunctions();
        LogGroupSettings.Restore();
        CreatedLogStreams.Restore();
        // Read only: the mappings' pollers and the queued invocations start at ResumeSavedWork (FunctionHost.Resume.cs).
        EventSourceMappings.Restore();
        RestoreEventQueue();
        RemoveUnusedCode();
    }
}
