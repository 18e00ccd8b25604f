using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Handshake.Tests.Shared;

/// <summary>
/// The AWS CLI as a test oracle, run by workers that stay up (tests/clients/aws_cli_worker.py): each command runs in a
/// worker through the CLI's own entry point, with its own driver, session, environment and working directory, as an
/// `aws` process would, without paying the CLI's start (about a second) per command. A worker runs one command at a
/// time; tests running at once take one each, and a worker that fails or times out is killed, never reused.
/// </summary>
internal static class AwsCli
{
    /// <summary>How long one command may take before its worker is killed, as the process runner allowed.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private static readonly ConcurrentBag<Worker> Idle = [];

    /// <summary>
    /// Runs `aws ARGUMENTS` with the test process's own variables, less <paramref name="unset"/>, and
    /// <paramref name="environment"/> set over them, in <paramref name="workingDirectory"/> (the repository root when
    /// null), for at most <paramref name="timeout"/> (<see cref="CommandTimeout"/> when null); its exit code and output,
    /// whatever they are.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, Dictionary<string, string>? environment = null,
        string? workingDirectory = null, IEnumerable<string>? unset = null, TimeSpan? timeout = null)
    {
        Worker worker = Idle.TryTake(out Worker? idle) ? idle : Worker.Start();
        try
        {
            var result = await worker.RunAsync(arguments, environment, unset, workingDirectory ?? Worker.Root).WaitAsync(timeout ?? CommandTimeout);
            Idle.Add(worker);
            return result;
        }
        catch
        {
            worker.Kill();
            throw;
        }
    }

    private sealed class Worker
    {
        public static readonly string Root = FindRoot();

        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private Worker(Process process)
        {
            _process = process;
            // Drained so that a worker writing to its standard error never blocks; kept (bounded) for a failure's message.
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                {
                    if (e.Data is not null && _stderr.Length < 16_384)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
        }

        public static Worker Start()
        {
            ProcessStartInfo info = new("python3")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Root,
                StandardInputEncoding = new UTF8Encoding(false),
                StandardOutputEncoding = Encoding.UTF8,
            };
            info.ArgumentList.Add(Path.Combine(Root, "tests", "clients", "aws_cli_worker.py"));
            return new Worker(Process.Start(info)!);
        }

        public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment,
            IEnumerable<string>? unset, string workingDirectory)
        {
            string request = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["arguments"] = arguments.ToArray(),
                ["unset"] = unset?.ToArray() ?? [],
                ["environment"] = environment ?? new Dictionary<string, string>(),
                ["workingDirectory"] = workingDirectory,
            });
            await _process.StandardInput.WriteLineAsync(request);
            await _process.StandardInput.FlushAsync();
            string? line = await _process.StandardOutput.ReadLineAsync();
            if (line is null)
            {
                await _process.WaitForExitAsync();
                string stderr;
                lock (_stderr)
                {
                    stderr = _stderr.ToString();
                }

                throw new InvalidOperationException($"the AWS CLI worker exited ({_process.ExitCode}) without answering: {stderr}");
            }

            JsonElement answer = JsonDocument.Parse(line).RootElement;
            return (answer.GetProperty("exitCode").GetInt32(), answer.GetProperty("stdout").GetString()!, answer.GetProperty("stderr").GetString()!);
        }

        public void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited already.
            }

            _process.Dispose();
        }

        private static string FindRoot()
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("not run from a Handshake checkout");
        }
    }
}
