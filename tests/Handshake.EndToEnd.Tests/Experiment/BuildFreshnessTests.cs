using System.ComponentModel;
using Handshake.Builds;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The rules the demo (its sample builds) and the benchmarks (their NativeAOT publishes) share for "this build is
/// stale" and for running the build: on a scratch tree, with file times set by the test.
/// </summary>
public sealed class BuildFreshnessTests : IDisposable
{
    private static readonly DateTime Base = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly string _root = Directory.CreateTempSubdirectory("handshake-sources-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, int minutes)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, relative);
        File.SetLastWriteTimeUtc(path, Base.AddMinutes(minutes));
        return path;
    }

    [Fact]
    public void The_newest_source_wins_and_build_outputs_and_hidden_folders_are_not_sources()
    {
        Write("sample/Program.cs", 1);
        string project = Write("sample/sample.csproj", 2);
        Write("sample/bin/Release/Sample.dll.json", 10);
        Write("sample/obj/project.assets.json", 11);
        Write("sample/out/bootstrap.cs", 12);
        Write("sample/node_modules/x/index.json", 13);
        Write("sample/.handshake/state.json", 14);
        Write("sample/README.md", 15);

        var newest = SourceFiles.Newest([Path.Combine(_root, "sample")]);

        Assert.NotNull(newest);
        Assert.Equal(project, newest.Value.Path);
        Assert.Equal(Base.AddMinutes(2), newest.Value.WrittenUtc);
    }

    [Fact]
    public void A_changed_root_build_file_makes_every_build_stale()
    {
        Write("sample/Program.cs", 1);
        string props = Write("Directory.Build.props", 5);

        var newest = SourceFiles.Newest([Path.Combine(_root, "sample"), .. SourceFiles.RootBuildFiles(_root)]);

        Assert.Equal(props, newest?.Path);
    }

    [Fact]
    public void No_sources_at_all_is_null_not_an_error()
    {
        Assert.Null(SourceFiles.Newest([Path.Combine(_root, "missing"), Path.Combine(_root, "global.json")]));
    }

    [Fact]
    public async Task A_command_gives_its_exit_code_and_both_outputs()
    {
        (int exit, string output) = await BoundedCommand.RunAsync("sh", ["-c", "echo out; echo err >&2; exit 3"], _root, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(3, exit);
        Assert.Contains("out", output, StringComparison.Ordinal);
        Assert.Contains("err", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_past_its_limit_is_killed_with_its_children()
    {
        string pidFile = Path.Combine(_root, "child.pid");
        // The shell starts a child that would outlive it, then waits on it.
        // The limit leaves a loaded machine time to start sh and write the file (500 ms could pass before it did).
        Task run = BoundedCommand.RunAsync("sh", ["-c", $"sleep 60 & echo $! > {pidFile}; wait"], _root, TimeSpan.FromSeconds(2), CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() => run).WaitAsync(TimeSpan.FromSeconds(30));
        int child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // SIGKILL is delivered asynchronously: the child may show as running for a moment after kill() returned. Waited
        // for, bounded; a child that was never killed (sleep 60) still fails this.
        await Eventually.WaitUntilAsync(() => !Running(child), $"the shell's child {child} has exited", TimeSpan.FromSeconds(20));

        static bool Running(int pid)
        {
            try
            {
                return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task A_program_that_is_not_on_the_path_is_a_Win32Exception()
    {
        await Assert.ThrowsAsync<Win32Exception>(() => BoundedCommand.RunAsync("handshake-no-such-program", [], _root, TimeSpan.FromSeconds(5), CancellationToken.None));
    }
}
