using System.Globalization;
using System.Text.Json;
using Handshake.Composition;
using Xunit.Abstractions;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// The user's scenario with the official SDK, on the composed server (<c>handshake up</c> in-process): a Node.js
/// function that invokes another synchronously with @aws-sdk/client-lambda v3, using the environment's own credentials
/// and AWS_ENDPOINT_URL as the host sets them, called by more outside callers at once than the account has slots.
/// Outside callers queue; the nested calls that find every slot held by a caller get 429 TooManyRequestsException at
/// once and the SDK retries them (standard mode, 3 attempts). Before the throttle they queued while their callers held
/// every slot, and every caller ran until its timeout. What a user does about it, as on Lambda, is reserve concurrency
/// for the caller below the account's: its nested calls then always find a slot.
/// </summary>
public sealed class NestedInvokeSdkTests(ITestOutputHelper output) : IDisposable
{
    private const int AccountLimit = 2;
    private const int Callers = 4;

    /// <summary>
    /// The caller. The SDK client is made at init, as users write it: region, credentials (with the session token) and
    /// endpoint all come from the environment. Each invocation first waits until BARRIER_COUNT callers (as many as it may
    /// have slots) have started, a file each in BARRIER_DIR, so that the first ones certainly hold those slots together
    /// when they invoke. It answers how the inner call ended and in how many attempts (the SDK's $metadata.attempts).
    /// </summary>
    private const string OuterCode = """
        'use strict';
        const fs = require('fs');
        const path = require('path');
        const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');

        const client = new LambdaClient({});
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

        exports.handler = async (event, context) => {
          const barrier = process.env.BARRIER_DIR;
          fs.writeFileSync(path.join(barrier, context.awsRequestId), '');
          while (fs.readdirSync(barrier).length < Number(process.env.BARRIER_COUNT)) await sleep(20);
          try {
            const answer = await client.send(new InvokeCommand({
              FunctionName: process.env.INNER_FUNCTION,
              Payload: Buffer.from(JSON.stringify({ n: event.n })),
            }));
            return {
              n: event.n,
              ok: true,
              attempts: answer.$metadata.attempts,
              status: answer.StatusCode,
              functionError: answer.FunctionError ?? null,
              payload: Buffer.from(answer.Payload).toString(),
            };
          } catch (e) {
            console.log(`inner call failed: ${e.name} ${e.Reason} after ${e.$metadata?.attempts} attempts`);
            return {
              n: event.n,
              ok: false,
              attempts: e.$metadata?.attempts ?? 0,
              status: e.$metadata?.httpStatusCode ?? 0,
              error: e.name,
              reason: e.Reason ?? null,
            };
          }
        };

        """;

    private const string InnerCode = """
        'use strict';
        exports.handler = async (event) => ({ inner: event.n });

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-e2e-nested-").FullName;

    [Fact]
    public async Task A_node_function_invoking_another_with_the_sdk_completes_when_callers_fill_the_account()
    {
        const string outer = "sdk-nested-outer";
        const string inner = "sdk-nested-inner";
        (List<JsonElement> outcomes, string metrics) = await RunAsync(outer, inner, outerReservedConcurrency: null);

        int succeeded = 0;
        int throttledAttempts = 0;
        foreach (JsonElement outcome in outcomes)
        {
            int attempts = outcome.GetProperty("attempts").GetInt32();
            if (outcome.GetProperty("ok").GetBoolean())
            {
                // Answered by the inner function, after attempts - 1 throttles.
                AssertAnswered(outcome);
                Assert.InRange(attempts, 1, 3);
                succeeded++;
                throttledAttempts += attempts - 1;
            }
            else
            {
                // Throttled on each of the SDK's default 3 attempts: Lambda's error, which the handler can catch.
                Assert.Equal(429, outcome.GetProperty("status").GetInt32());
                Assert.Equal("TooManyRequestsException", outcome.GetProperty("error").GetString());
                Assert.Equal("ConcurrentInvocationLimitExceeded", outcome.GetProperty("reason").GetString());
                Assert.Equal(3, attempts);
                throttledAttempts += attempts;
            }
        }

        // The first callers invoked while together they held both slots: their first attempts were throttled, and the
        // SDK retried them. (Which of the later ones get through depends on when the queue of callers drains: while
        // callers are queued, a freed slot goes to the next caller, not to a nested call.)
        Assert.True(outcomes.Count(o => o.GetProperty("attempts").GetInt32() > 1) >= AccountLimit, string.Join("\n", outcomes));

        // The counts add up on /metrics: every attempt that did not reach the inner function was a throttle, and the
        // outer function's callers were never throttled (they queued).
        Assert.Equal(Callers, Sample(metrics, "handshake_lambda_invocations_total", outer));
        Assert.Equal(0, Sample(metrics, "handshake_lambda_throttles_total", outer));
        Assert.Equal(succeeded, Sample(metrics, "handshake_lambda_invocations_total", inner));
        Assert.Equal(throttledAttempts, Sample(metrics, "handshake_lambda_throttles_total", inner));
    }

    [Fact]
    public async Task Reserving_concurrency_for_the_caller_leaves_its_nested_calls_a_slot()
    {
        // What a user does about it, as on Lambda: the caller may hold at most AccountLimit - 1 slots, so the account
        // always has one for the function it invokes. The same callers then all get through, at the first attempt.
        const string outer = "sdk-reserved-outer";
        const string inner = "sdk-reserved-inner";
        (List<JsonElement> outcomes, string metrics) = await RunAsync(outer, inner, outerReservedConcurrency: AccountLimit - 1);

        foreach (JsonElement outcome in outcomes)
        {
            Assert.True(outcome.GetProperty("ok").GetBoolean(), outcome.ToString());
            AssertAnswered(outcome);
            Assert.Equal(1, outcome.GetProperty("attempts").GetInt32());
        }

        Assert.Equal(Callers, Sample(metrics, "handshake_lambda_invocations_total", outer));
        Assert.Equal(Callers, Sample(metrics, "handshake_lambda_invocations_total", inner));
        Assert.Equal(0, Sample(metrics, "handshake_lambda_throttles_total", outer));
        Assert.Equal(0, Sample(metrics, "handshake_lambda_throttles_total", inner));
    }

    /// <summary>
    /// Declares both functions in a handshake.json, starts the composed server with an account of
    /// <see cref="AccountLimit"/> slots, sends <see cref="Callers"/> outer invocations at once and checks that every one
    /// completed with its handler's answer. Returns those answers and /metrics.
    /// </summary>
    private async Task<(List<JsonElement> Outcomes, string Metrics)> RunAsync(string outer, string inner, int? outerReservedConcurrency)
    {
        string nodeModules = Path.Combine(RepositoryRoot(), "tests", "clients", "node_modules");
        Assert.True(Directory.Exists(Path.Combine(nodeModules, "@aws-sdk", "client-lambda")),
            "tests/clients/node_modules is missing: run `npm ci` there (scripts/test.sh does)");
        string barrier = Directory.CreateDirectory(Path.Combine(_directory, "barrier")).FullName;
        WriteFunction("outer", OuterCode);
        WriteFunction("inner", InnerCode);
        string projectFile = Path.Combine(_directory, "handshake.json");
        File.WriteAllText(projectFile, JsonSerializer.Serialize(new
        {
            functions = new Dictionary<string, object>
            {
                [outer] = new
                {
                    runtime = "nodejs20.x",
                    handler = "index.handler",
                    code = "outer",
                    memorySize = 512,
                    timeout = 30,
                    reservedConcurrency = outerReservedConcurrency,
                    environment = new Dictionary<string, string>
                    {
                        // The SDK, from the repository's tests/clients (npm ci).
                        ["NODE_PATH"] = nodeModules,
                        ["INNER_FUNCTION"] = inner,
                        ["BARRIER_DIR"] = barrier,
                        ["BARRIER_COUNT"] = (outerReservedConcurrency ?? AccountLimit).ToString(CultureInfo.InvariantCulture),
                    },
                },
                [inner] = new { runtime = "nodejs20.x", handler = "index.handler", code = "inner", timeout = 10 },
            },
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));

        await using HandshakeServer server = await HandshakeServer.StartAsync(new HandshakeServerOptions
        {
            Port = 0,
            InMemory = true,
            DataDirectory = _directory,
            ProjectFile = projectFile,
            AccountConcurrencyLimit = AccountLimit,
        }).WaitAsync(HandshakeProcess.Timeout);

        // Outside callers, unsigned: they queue. Bounded by a wait far beyond the function's 30 s timeout, so that a
        // caller stuck in the host fails the test instead of hanging it; nothing here measures speed.
        using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TimeSpan.FromMinutes(2) };
        Task<(string Body, string? FunctionError)>[] calls = [.. Enumerable.Range(0, Callers).Select(n => InvokeAsync(http, outer, n))];
        (string Body, string? FunctionError)[] answers = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromMinutes(3));

        // Every outer invocation completed with the handler's own answer: none ran into its timeout (Sandbox.Timedout).
        List<JsonElement> outcomes = [];
        foreach ((string body, string? functionError) in answers)
        {
            output.WriteLine(body);
            Assert.True(functionError is null, $"outer invocation failed ({functionError}): {body}");
            outcomes.Add(JsonDocument.Parse(body).RootElement.Clone());
        }

        Assert.Equal(Enumerable.Range(0, Callers), outcomes.Select(o => o.GetProperty("n").GetInt32()).Order());
        return (outcomes, await http.GetStringAsync("/metrics"));
    }

    private static void AssertAnswered(JsonElement outcome)
    {
        Assert.Equal(200, outcome.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("functionError").ValueKind);
        Assert.Equal($$"""{"inner":{{outcome.GetProperty("n").GetInt32()}}}""", outcome.GetProperty("payload").GetString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(string Body, string? FunctionError)> InvokeAsync(HttpClient http, string function, int n)
    {
        using HttpResponseMessage response = await http.PostAsync($"/2015-03-31/functions/{function}/invocations", new StringContent($$"""{"n":{{n}}}"""));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return (body, response.Headers.TryGetValues("X-Amz-Function-Error", out IEnumerable<string>? values) ? values.Single() : null);
    }

    private void WriteFunction(string directory, string code)
    {
        string path = Directory.CreateDirectory(Path.Combine(_directory, directory)).FullName;
        File.WriteAllText(Path.Combine(path, "index.js"), code.ReplaceLineEndings("\n"));
    }

    /// <summary>A counter's value for one function; 0 when it has no sample yet (a counter never added to).</summary>
    private static long Sample(string prometheusText, string metric, string function)
    {
        string series = $"{metric}{{function=\"{function}\"}} ";
        string? line = prometheusText.Split('\n').SingleOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[series.Length..], CultureInfo.InvariantCulture);
    }

    private static string RepositoryRoot()
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
