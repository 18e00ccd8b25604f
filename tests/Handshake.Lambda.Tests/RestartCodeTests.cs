using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Functions' code and declared functions across a restart of the host on the same data directory: unpacked code is
/// found (or removed when nothing saved uses it), moved with the directory, and a project file's functions win over
/// saved ones of their name. Apart from RestartTests so that the two run side by side.
/// </summary>
public sealed class RestartCodeTests : RestartTestBase
{
    [Fact]
    public async Task A_moved_data_directory_keeps_its_functions_code()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        string zip2 = WriteZip(FunctionZip.BashRuntime("version-2.txt"));
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            await cli.CreateAsync(zip, marker);
            await cli.OkAsync("publish-version", "--function-name", "kept");
            await cli.OkAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + zip2);
        }

        Directory.Move(DataDirectory, Moved);
        await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = Moved }, marker: marker))
        {
            Cli cli = new(server);
            string latestRoot = (await cli.InvokeAsync("kept")).GetProperty("LAMBDA_TASK_ROOT").GetString()!;
            Assert.StartsWith(Moved + Path.DirectorySeparatorChar, latestRoot, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(latestRoot, "version-2.txt")));
            Assert.False(File.Exists(Path.Combine((await cli.InvokeAsync("kept", "1")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
            // Still zipped code, not a hot-reload directory: PublishVersion checks its CodeSha256.
            Assert.Contains("(InvalidParameterValueException)", (await cli.RunAsync("publish-version", "--function-name", "kept", "--code-sha256", "not-the-sha")).Stderr);
        }
    }

    [Fact]
    public async Task Unpacked_code_that_nothing_saved_uses_is_removed_at_the_next_start_and_the_rest_still_runs()
    {
        string marker = Guid.NewGuid().ToString("N");
        string a = WriteZip(FunctionZip.BashRuntime());
        string b = WriteZip(FunctionZip.BashRuntime("b.txt"));
        string c = WriteZip(FunctionZip.BashRuntime("c.txt"));
        string d = WriteZip(FunctionZip.BashRuntime("d.txt"));
        string e = WriteZip(FunctionZip.BashRuntime("e.txt"));
        string project = Path.Combine(DataDirectory, "handshake.json");
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(project, JsonSerializer.Serialize(new
        {
            functions = new Dictionary<string, object>
            {
                ["declared"] = new { runtime = "provided.al2023", handler = "function.handler", code = TestHost.FunctionDirectory("bash-runtime"), environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = marker } },
            },
        }));

        string functions = Path.Combine(DataDirectory, "functions");
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            server.Test.Host.LoadProjectFile(project);
            Cli cli = new(server);
            await cli.CreateAsync(a, marker);
            await cli.OkAsync("publish-version", "--function-name", "kept");
            await cli.OkAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + b);
            await cli.OkAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + d);
            await cli.CreateAsync(c, marker, "gone");
            await cli.OkAsync("delete-function", "--function-name", "gone");
            // A declared function is not saved, but a version published from zipped code is: its code must stay.
            await cli.OkAsync("update-function-code", "--function-name", "declared", "--zip-file", "fileb://" + e);
            await cli.OkAsync("publish-version", "--function-name", "declared");
            // Nothing is removed while the host runs (an environment may still run the replaced code).
            Assert.Equal(Sorted(CodeName(a), CodeName(b), CodeName(d)), CodeDirectories("kept"));
            Assert.Equal([CodeName(c)], CodeDirectories("gone"));
        }

        // What a kill in the middle of unpacking leaves.
        Directory.CreateDirectory(Path.Combine(functions, "kept", CodeName(b) + ".tmp-0badf00d"));
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Assert.Equal(Sorted(CodeName(a), CodeName(d)), CodeDirectories("kept"));
            Assert.False(Directory.Exists(Path.Combine(functions, "gone")));
            Assert.Equal([CodeName(e)], CodeDirectories("declared"));

            server.Test.Host.LoadProjectFile(project);
            Cli cli = new(server);
            Assert.True(File.Exists(Path.Combine((await cli.InvokeAsync("kept")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "d.txt")));
            string versionRoot = (await cli.InvokeAsync("kept", "1")).GetProperty("LAMBDA_TASK_ROOT").GetString()!;
            Assert.Equal(Path.Combine(functions, "kept", CodeName(a)), versionRoot);
            Assert.True(File.Exists(Path.Combine((await cli.InvokeAsync("declared", "1")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "e.txt")));
        }

        string[] CodeDirectories(string function) =>
            [.. Directory.GetDirectories(Path.Combine(functions, function)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        static string[] Sorted(params string[] names) => [.. names.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_declared_function_wins_over_a_saved_one_of_its_name_and_keeps_what_the_API_made_for_it()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        string project = Path.Combine(DataDirectory, "handshake.json");
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(project, JsonSerializer.Serialize(new
        {
            functions = new Dictionary<string, object>
            {
                ["declared"] = new { runtime = "provided.al2023", handler = "function.handler", code = TestHost.FunctionDirectory("bash-runtime"), environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = marker, ["COLOR"] = "file" } },
            },
        }));

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            // Made through the API under the name the project file declares at the next start.
            await cli.CreateAsync(zip, marker, "declared");
            await cli.OkAsync("tag-resource", "--resource", Arn.Replace(":kept", ":declared", StringComparison.Ordinal), "--tags", "from=api");
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            server.Test.Host.LoadProjectFile(project);
            Cli cli = new(server);
            Assert.Equal("file", (await cli.InvokeAsync("declared")).GetProperty("COLOR").GetString());
            Assert.Empty(JsonDocument.Parse(await cli.OkAsync("list-tags", "--resource", Arn.Replace(":kept", ":declared", StringComparison.Ordinal))).RootElement.GetProperty("Tags").EnumerateObject());
            // What the API makes for a declared function is kept.
            await cli.OkAsync("publish-version", "--function-name", "declared");
            await cli.OkAsync("create-alias", "--function-name", "declared", "--name", "live", "--function-version", "1");
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            // Not declared yet: the host alone does not know the function, only what was made for it.
            Assert.Contains("(ResourceNotFoundException)", (await cli.RunAsync("get-function", "--function-name", "declared")).Stderr);
            server.Test.Host.LoadProjectFile(project);
            Assert.Equal("1", JsonDocument.Parse(await cli.OkAsync("get-alias", "--function-name", "declared", "--name", "live")).RootElement.GetProperty("FunctionVersion").GetString());
            Assert.Equal("file", (await cli.InvokeAsync("declared", "live")).GetProperty("COLOR").GetString());
        }
    }

    [Fact]
    public async Task PublishVersion_after_a_restart_with_an_unchanged_declaration_answers_the_existing_version()
    {
        string marker = Guid.NewGuid().ToString("N");
        string project = Path.Combine(DataDirectory + "-zips", "handshake.json");
        void Declare(string color)
        {
            Directory.CreateDirectory(DataDirectory + "-zips");
            File.WriteAllText(project, JsonSerializer.Serialize(new
            {
                functions = new Dictionary<string, object>
                {
                    ["declared"] = new { runtime = "provided.al2023", handler = "function.handler", code = TestHost.FunctionDirectory("bash-runtime"), environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = marker, ["COLOR"] = color } },
                },
            }));
        }

        async Task<string> PublishAfterStartAsync()
        {
            await using LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker);
            server.Test.Host.LoadProjectFile(project);
            return JsonDocument.Parse(await new Cli(server).OkAsync("publish-version", "--function-name", "declared")).RootElement.GetProperty("Version").GetString()!;
        }

        Declare("file");
        Assert.Equal("1", await PublishAfterStartAsync());
        // Nothing changed in the declaration: as on Lambda, the last version is answered and none is made.
        Assert.Equal("1", await PublishAfterStartAsync());
        Declare("changed");
        Assert.Equal("2", await PublishAfterStartAsync());
    }
}
