using System.Globalization;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>The variables Lambda sets in an execution environment, then the function's own (which cannot override the reserved ones).</summary>
internal static class EnvironmentVariables
{
    /// <summary>
    /// AWS_XRAY_DAEMON_ADDRESS's value: the X-Ray daemon's default listen address, not Lambda's link-local
    /// 169.254.79.129:2000, so that a daemon run on this machine gets the segments and nothing is sent off the machine.
    /// </summary>
    public const string XRayDaemonAddress = "127.0.0.1:2000";

    public static Dictionary<string, string> For(ExecutionEnvironment environment, FunctionHostOptions options, string runtimeApi)
    {
        FunctionDefinition function = environment.Definition;
        Dictionary<string, string> variables = new(StringComparer.Ordinal);
        foreach ((string name, string value) in function.Environment)
        {
            variables[name] = value;
        }

        variables["AWS_LAMBDA_FUNCTION_NAME"] = function.Name;
        variables["AWS_LAMBDA_FUNCTION_VERSION"] = function.Version;
        variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = function.MemorySize.ToString(CultureInfo.InvariantCulture);
        variables["AWS_LAMBDA_LOG_GROUP_NAME"] = environment.LogGroupName;
        variables["AWS_LAMBDA_LOG_STREAM_NAME"] = environment.LogStreamName;
        variables["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        variables["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        variables["AWS_REGION"] = options.Region;
        variables["AWS_DEFAULT_REGION"] = options.Region;
        variables["_HANDLER"] = function.Handler;
        variables["LAMBDA_TASK_ROOT"] = function.CodeDirectory;
        variables["LAMBDA_RUNTIME_DIR"] = function.CodeDirectory;
        variables["TZ"] = ":UTC";
        variables["AWS_ACCESS_KEY_ID"] = environment.AccessKeyId;
        variables["AWS_SECRET_ACCESS_KEY"] = environment.SecretAccessKey;
        variables["AWS_SESSION_TOKEN"] = environment.SessionToken;
        if (FunctionRuntime.ExecutionEnv(function.Runtime, function.RuntimeKind) is string executionEnv)
        {
            variables["AWS_EXECUTION_ENV"] = executionEnv;
        }
        else
        {
            variables.Remove("AWS_EXECUTION_ENV");
        }

        // X-Ray, as Lambda sets them in every environment (tracing on or not), so that an X-Ray SDK in the function
        // starts as it does on Lambda: LOG_ERROR (a segment missing outside a traced invocation is logged, not thrown)
        // and the daemon's address. AWS_XRAY_CONTEXT_MISSING and AWS_XRAY_DAEMON_ADDRESS are not reserved on Lambda,
        // so the function's own values win; the _AWS_XRAY_* pair follows AWS_XRAY_DAEMON_ADDRESS (their keys start with
        // "_", which the key pattern refuses in a function's configuration). The address is the link-local one Lambda
        // uses; no daemon listens there on this machine, so segments sent over UDP are lost, which the SDKs tolerate.
        variables.TryAdd("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
        variables.TryAdd("AWS_XRAY_DAEMON_ADDRESS", XRayDaemonAddress);
        string daemon = variables["AWS_XRAY_DAEMON_ADDRESS"];
        int colon = daemon.LastIndexOf(':');
        variables["_AWS_XRAY_DAEMON_ADDRESS"] = colon > 0 ? daemon[..colon] : daemon;
        variables["_AWS_XRAY_DAEMON_PORT"] = colon > 0 ? daemon[(colon + 1)..] : "2000";

        // LoggingConfig's JSON format, as Lambda passes it to the runtime: AWS's runtime interface clients read these two
        // and then write their application logs as JSON and drop those below the level. With Text Lambda sets neither
        // (the clients take a missing AWS_LAMBDA_LOG_FORMAT for Text), so a function's own values, which Lambda does not
        // reserve, reach the runtime as any variable of its does; with JSON the configuration's values replace them.
        if (function.Logging.LogFormat == "JSON")
        {
            variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON";
            variables["AWS_LAMBDA_LOG_LEVEL"] = function.Logging.ApplicationLogLevel ?? "INFO";
        }

        if (!string.IsNullOrEmpty(options.StoreEndpoint))
        {
            variables["AWS_ENDPOINT_URL"] = options.StoreEndpoint;
            variables["AWS_ENDPOINT_URL_DYNAMODB"] = options.StoreEndpoint;
        }

        if (function.RuntimeKind == FunctionRuntimeKind.Nodejs && !variables.ContainsKey("NODE_PATH"))
        {
            variables["NODE_PATH"] = Path.Combine(function.CodeDirectory, "node_modules");
        }

        return variables;
    }
}
