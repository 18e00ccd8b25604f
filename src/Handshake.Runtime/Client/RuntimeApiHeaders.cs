namespace Handshake.Runtime.Client;

/// <summary>The header names of the Lambda Runtime API (2018-06-01), as the service spells them.</summary>
public static class RuntimeApiHeaders
{
    public const string AwsRequestId = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineMs = "Lambda-Runtime-Deadline-Ms";
    public const string InvokedFunctionArn = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceId = "Lambda-Runtime-Trace-Id";
    public const string ClientContext = "Lambda-Runtime-Client-Context";
    public const string CognitoIdentity = "Lambda-Runtime-Cognito-Identity";
    public const string FunctionErrorType = "Lambda-Runtime-Function-Error-Type";

    /// <summary>A streamed response's mode header (value <c>streaming</c>), and the trailer that carries a mid-stream error's body.</summary>
    public const string FunctionResponseMode = "Lambda-Runtime-Function-Response-Mode";
    public const string FunctionErrorBody = "Lambda-Runtime-Function-Error-Body";

    /// <summary>The content type Lambda documents for an error body.</summary>
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";
}
