namespace Handshake.Runtime.Context;

/// <summary>What a handler knows about its invocation and its function, named as in Amazon.Lambda.Core.</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }
    string FunctionName { get; }
    string FunctionVersion { get; }
    string InvokedFunctionArn { get; }
    int MemoryLimitInMB { get; }

    /// <summary>Time left before the host times the invocation out, from Lambda-Runtime-Deadline-Ms; never negative.</summary>
    TimeSpan RemainingTime { get; }

    string LogGroupName { get; }
    string LogStreamName { get; }

    /// <summary>The X-Ray trace header of this invocation (also in the _X_AMZN_TRACE_ID variable while it runs).</summary>
    string? TraceId { get; }

    /// <summary>The raw Lambda-Runtime-Client-Context JSON, when the caller sent one.</summary>
    string? ClientContext { get; }

    /// <summary>The raw Lambda-Runtime-Cognito-Identity JSON, when the caller sent one.</summary>
    string? CognitoIdentity { get; }

    ILambdaLogger Logger { get; }
}
