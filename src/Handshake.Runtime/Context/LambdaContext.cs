using Handshake.Runtime.Client;

namespace Handshake.Runtime.Context;

/// <summary>The context of one invocation: its request's headers plus the function's environment.</summary>
public sealed class LambdaContext : ILambdaContext
{
    private readonly InvocationRequest _invocation;
    private readonly LambdaEnvironment _environment;
    private readonly TimeProvider _clock;

    public LambdaContext(InvocationRequest invocation, LambdaEnvironment environment, TimeProvider clock)
    {
        _invocation = invocation;
        _environment = environment;
        _clock = clock;
        Logger = new ConsoleLambdaLogger(invocation.AwsRequestId, clock);
    }

    public string AwsRequestId => _invocation.AwsRequestId;
    public string FunctionName => _environment.FunctionName;
    public string FunctionVersion => _environment.FunctionVersion;
    public string InvokedFunctionArn => _invocation.InvokedFunctionArn;
    public int MemoryLimitInMB => _environment.MemoryLimitInMB;
    public string LogGroupName => _environment.LogGroupName;
    public string LogStreamName => _environment.LogStreamName;
    public string? TraceId => _invocation.TraceId;
    public string? ClientContext => _invocation.ClientContext;
    public string? CognitoIdentity => _invocation.CognitoIdentity;
    public ILambdaLogger Logger { get; }

    public TimeSpan RemainingTime
    {
        get
        {
            var remaining = _invocation.DeadlineMs - _clock.GetUtcNow().ToUnixTimeMilliseconds();
            return TimeSpan.FromMilliseconds(Math.Max(0, remaining));
        }
    }
}
