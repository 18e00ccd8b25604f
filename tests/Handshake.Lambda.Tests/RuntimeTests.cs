using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>The three runtimes with the repository's own clients: Node.js bootstrap, .NET Handshake.Runtime, and project files.</summary>
public sealed class RuntimeTests
{
    private static string Configuration => AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    [Fact]
    public async Task A_nodejs_function_runs_with_the_repositorys_bootstrap_and_is_frozen_between_invocations()
    {
        await using TestHost test = TestHost.Start();
        test.Host.CreateFunction(new FunctionDefinition
        {
            Name = "node-noop",
            Runtime = "nodejs20.x",
            Handler = "index.handler",
            CodeDirectory = Repository.Path("samples", "noop-node"),
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
        });

        for (int i = 0; i < 3; i++)
        {
            InvocationResult result = await test.InvokeAsync("node-noop", $$"""{"n":{{i}}}""");
            Assert.Null(result.FunctionError);
            Assert.Equal(i, TestHost.Json(result).GetProperty("n").GetInt32());
        }

        Assert.Equal(1, test.Host.PeakEnvironmentCount("node-noop"));
        await Assert.Single(test.Host.Environments("node-noop")).WhenFrozen().WaitAsync(TestHost.Wait);
    }

    [Fact]
    public async Task A_dotnet_function_runs_as_dotnet_Handler_dll()
    {
        await using TestHost test = TestHost.Start();
        test.Host.CreateFunction(new FunctionDefinition
        {
            Name = "dotnet-noop",
            Runtime = "dotnet8",
            Handler = "Noop",
            CodeDirectory = Repository.Path("samples", "noop-dotnet", "bin", Configuration, "net10.0"),
            Timeout = 30,
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
        });

        InvocationResult first = await test.InvokeAsync("dotnet-noop", """{"dotnet":1}""");
        InvocationResult second = await test.InvokeAsync("dotnet-noop", """{"dotnet":2}""");

        Assert.Null(first.FunctionError);
        Assert.Equal("""{"dotnet":1}""", TestHost.Text(first));
        Assert.Equal("""{"dotnet":2}""", TestHost.Text(second));
        Assert.Equal(1, test.Host.PeakEnvironmentCount("dotnet-noop"));
    }

    [Fact]
    public async Task A_project_file_declares_functions()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-project-").FullName;
        try
        {
            await using TestHost test = TestHost.Start();
            string code = Path.GetRelativePath(directory, TestHost.FunctionDirectory("bash-runtime"));
            string file = Path.Combine(directory, "handshake.json");
            await File.WriteAllTextAsync(file, $$"""
                {
                  // comments are allowed
                  "functions": {
                    "declared": { "runtime": "provided.al2023", "handler": "h.x", "code": "{{code}}", "memorySize": 512, "timeout": 7,
                                  "reservedConcurrency": 2, "environment": { "HANDSHAKE_TEST_MARKER": "{{test.Marker}}", "COUNT": 3 } }
                  }
                }
                """);

            IReadOnlyList<FunctionDefinition> loaded = test.Host.LoadProjectFile(file);

            FunctionDefinition function = Assert.Single(loaded);
            Assert.Equal(FunctionRuntimeKind.Provided, function.RuntimeKind);
            Assert.Equal(512, function.MemorySize);
            Assert.Equal(2, function.ReservedConcurrency);
            JsonElement env = TestHost.Json(await test.InvokeAsync("declared", """{"environment":1}"""));
            Assert.Equal("3", env.GetProperty("COUNT").GetString());
            Assert.Equal("512", env.GetProperty("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").GetString());
            Assert.Equal("h.x", env.GetProperty("_HANDLER").GetString());

            await File.WriteAllTextAsync(file, """{ "functions": { "bad": { "runtime": "cobol", "code": "." } } }""");
            ProjectFileException error = Assert.Throws<ProjectFileException>(() => test.Host.LoadProjectFile(file));
            Assert.Contains("unknown runtime 'cobol'", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("provided", FunctionRuntimeKind.Provided)]
    [InlineData("provided.al2023", FunctionRuntimeKind.Provided)]
    [InlineData("provided.al2", FunctionRuntimeKind.Provided)]
    [InlineData("dotnet", FunctionRuntimeKind.Dotnet)]
    [InlineData("dotnet8", FunctionRuntimeKind.Dotnet)]
    [InlineData("dotnetcore3.1", FunctionRuntimeKind.Dotnet)]
    [InlineData("nodejs", FunctionRuntimeKind.Nodejs)]
    [InlineData("nodejs20.x", FunctionRuntimeKind.Nodejs)]
    [InlineData("nodejs22.x", FunctionRuntimeKind.Nodejs)]
    public void AWS_runtime_identifiers_map_onto_the_three_runtimes(string identifier, FunctionRuntimeKind kind)
    {
        Assert.True(FunctionRuntime.TryParse(identifier, out FunctionRuntimeKind parsed));
        Assert.Equal(kind, parsed);
    }

    [Theory]
    [InlineData("python3.12")]
    [InlineData("java21")]
    [InlineData("nodejsX")]
    [InlineData("")]
    public void Other_runtimes_are_refused(string identifier) => Assert.False(FunctionRuntime.TryParse(identifier, out _));
}
