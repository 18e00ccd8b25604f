namespace Handshake.Runtime.Context;

/// <summary>Writes lines into the function's log stream (the environment's stdout, which the platform captures).</summary>
public interface ILambdaLogger
{
    void LogLine(string message);
    void LogError(string message);
}
