using System.Reflection;

namespace Handshake.Runtime.Tests.Fakes;

/// <summary>Where the functions under test live, and how an execution environment starts them.</summary>
public static class Functions
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();

    private static readonly string Configuration =
        typeof(Functions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string TestFunctionDll => Path.Combine(RepositoryRoot, "tests", "Handshake.Runtime.Tests", "TestFunction", "bin", Configuration, "net10.0", "TestFunction.dll");

    public static string NoopDll => Path.Combine(RepositoryRoot, "samples", "noop-dotnet", "bin", Configuration, "net10.0", "Noop.dll");

    public static string PutRecordDll => Path.Combine(RepositoryRoot, "samples", "put-record-dotnet", "bin", Configuration, "net10.0", "PutRecord.dll");

    public static string PutRecordNodeDirectory => Path.Combine(RepositoryRoot, "samples", "put-record-node");

    public static string NodeBootstrap => Path.Combine(RepositoryRoot, "runtimes", "node", "bootstrap.js");

    public static string NodeFunctionsDirectory => Path.Combine(RepositoryRoot, "tests", "Handshake.Runtime.Tests", "NodeFunctions");

    /// <summary>The `dotnet` runtime: <c>dotnet &lt;handler&gt;.dll</c> in the code directory.</summary>
    public static FunctionProcess StartDotnet(FakeRuntimeApi api, string dll, string handler, IReadOnlyDictionary<string, string>? extra = null)
    {
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var directory = Path.GetDirectoryName(dll)!;
        return FunctionProcess.Start("dotnet", [dll], directory, Environment(api, handler, directory, extra));
    }

    /// <summary>The `nodejs` runtime: <c>node runtimes/node/bootstrap.js</c> with cwd = LAMBDA_TASK_ROOT = the code directory.</summary>
    public static FunctionProcess StartNode(FakeRuntimeApi api, string handler, string? codeDirectory = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var directory = codeDirectory ?? NodeFunctionsDirectory;
        return FunctionProcess.Start("node", [NodeBootstrap], directory, Environment(api, handler, directory, extra));
    }

    private static Dictionary<string, string> Environment(FakeRuntimeApi api, string handler, string taskRoot, IReadOnlyDictionary<string, string>? extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.Address,
            ["_HANDLER"] = handler,
            ["LAMBDA_TASK_ROOT"] = taskRoot,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "test-function",
            ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "256",
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/test-function",
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = "2026/11/26/[$LATEST]0123456789abcdef",
            ["AWS_REGION"] = "us-east-1",
            ["TZ"] = ":UTC",
        };
        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Handshake.slnx not found above {AppContext.BaseDirectory}");
    }
}
