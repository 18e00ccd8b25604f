using System.Text.Json;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.Durability;

/// <summary>
/// An Event invocation acknowledged (202) by a real `handshake up` that is then SIGKILLed before the invocation ran:
/// the next `handshake up` on the same data directory runs it. The function counts its runs itself, in a file.
/// </summary>
public sealed class EventInvocationKillNineTests : IDisposable
{
    private const string Bootstrap = """
        #!/bin/bash
        # Appends each event to RUNS_FILE (one line), then answers it.
        set -uo pipefail
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        WORK="$(mktemp -d)"
        trap 'rm -rf "$WORK"' EXIT
        while true; do
          curl -sS -D "$WORK/headers" -o "$WORK/event" "$API/invocation/next" || exit 1
          ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$WORK/headers" | tr -d '[:space:]' | cut -d: -f2)
          jq -c . "$WORK/event" >> "$RUNS_FILE"
          curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{}'
        done
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-event-kill9-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_acknowledged_Event_invocation_that_had_not_run_runs_after_a_kill_9_and_a_restart()
    {
        string runs = Path.Combine(_directory, "runs.jsonl");
        string code = Directory.CreateDirectory(Path.Combine(_directory, "counter")).FullName;
        File.WriteAllText(Path.Combine(code, "bootstrap"), Bootstrap.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(Path.Combine(code, "bootstrap"), (UnixFileMode)0b111_101_101);
        // Reserved concurrency 0: the invocation is throttled, so it waits in the queue until the kill.
        WriteProject(runs, reserved: 0);

        using (HandshakeProcess first = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", _directory))
        {
            Uri endpoint = await first.WaitUntilUpAsync();
            JsonElement answer = await InvokeEventAsync(endpoint, """{"n": 42}""");
            Assert.Equal(202, answer.GetProperty("StatusCode").GetInt32());
            first.KillHard();
            await first.WaitForExitAsync();
        }

        Assert.False(File.Exists(runs));
        WriteProject(runs, reserved: null);
        using HandshakeProcess second = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", _directory);
        await second.WaitUntilUpAsync();
        using (CancellationTokenSource timeout = new(HandshakeProcess.Timeout))
        {
            while (!File.Exists(runs) || !File.ReadAllText(runs).EndsWith('\n'))
            {
                await Task.Delay(25, timeout.Token);
            }
        }

        second.Terminate();
        await second.WaitForExitAsync();
        // Once: it succeeded, so nothing ran it again before the stop.
        string run = Assert.Single(File.ReadAllLines(runs));
        Assert.Equal(42, JsonDocument.Parse(run).RootElement.GetProperty("n").GetInt32());
    }

    private void WriteProject(string runs, int? reserved)
    {
        string reservation = reserved is { } r ? $", \"reservedConcurrency\": {r}" : "";
        File.WriteAllText(Path.Combine(_directory, "handshake.json"), $$"""
            { "functions": { "counter": { "runtime": "provided.al2023", "handler": "counter.handler", "code": "counter",
              "timeout": 10, "environment": { "RUNS_FILE": {{JsonSerializer.Serialize(runs)}} }{{reservation}} } } }
            """);
    }

    private static async Task<JsonElement> InvokeEventAsync(Uri endpoint, string payload)
    {
        string answer = Path.Combine(Path.GetTempPath(), "handshake-kill9-answer-" + Guid.NewGuid().ToString("N"));
        try
        {
            ChildProcess.Result run = await ChildProcess.RunAsync("aws", ["lambda", "invoke", "--endpoint-url", endpoint.ToString(),
                "--function-name", "counter", "--invocation-type", "Event", "--payload", payload, answer], new Dictionary<string, string>
                {
                    ["AWS_ACCESS_KEY_ID"] = "AKIDKILL9",
                    ["AWS_SECRET_ACCESS_KEY"] = "kill9",
                    ["AWS_DEFAULT_REGION"] = "us-east-1",
                    ["AWS_MAX_ATTEMPTS"] = "1",
                    ["AWS_PAGER"] = "",
                });
            Assert.True(run.ExitCode == 0, run.StandardError);
            return JsonDocument.Parse(run.StandardOutput).RootElement.Clone();
        }
        finally
        {
            File.Delete(answer);
        }
    }
}
