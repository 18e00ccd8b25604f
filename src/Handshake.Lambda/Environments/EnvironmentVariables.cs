using System.Globalization;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>The variables Lambda sets in an execution environment, then the function's own (which cannot override the reserved ones).</summary>
internal static class EnvironmentVariables
{
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
        variables["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + function.Name;
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
