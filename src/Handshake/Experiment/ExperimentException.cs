namespace Handshake.Experiment;

/// <summary>The experiment cannot run for a reason the user can fix; the message is one line, shown as is.</summary>
internal sealed class ExperimentException(string message) : Exception(message);
