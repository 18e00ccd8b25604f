using System.Text;
using System.Text.Json;
using Handshake.Lambda.EventSources;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Accepted Event invocations survive a restart of the host on the same data directory: each runs to completion
/// after it, at least once (an attempt in flight at the stop runs again), with its age counted from its acceptance and
/// its attempts counted against MaximumRetryAttempts. Invocations are counted by what the functions themselves wrote
/// to their record files (the host's logs do not survive a restart), and the 202 comes from the AWS CLI.
/// </summary>
public sealed class EventInvokeRestartTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("handshake-event-restart-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Event_invocations_accepted_before_a_stop_each_run_once_after_the_restart_and_the_queue_empties()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            // Reserved concurrency 0: every attempt is throttled, so the invocations wait in the queue until the stop.
            first.AddRecorder("source", reserved: 0);
            first.Host.ResumeSavedWork();
            for (int n = 1; n <= 3; n++)
            {
                JsonElement answer = await InvokeEventWithCliAsync(first, "source", $$"""{"n": {{n}}}""");
                Assert.Equal(202, answer.GetProperty("StatusCode").GetInt32());
            }

            Assert.Equal(3, first.Host.SavedEventInvocations);
            Assert.Empty(first.Events("source"));
        }

        await using StreamServer second = await StreamServer.StartAsync(_data);
        second.AddRecorder("source");
        second.Host.ResumeSavedWork();
        await WaitForEmptyQueueAsync(second.Host);

        Assert.Equal([1, 2, 3], second.Events("source").Select(e => e.GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public async Task An_invocation_in_flight_at_the_stop_runs_again_after_the_restart()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            first.AddRecorder("source");
            // The function records the event, then holds its answer: the host stops with the attempt in flight.
            first.Control("source", "hold", "");
            first.Host.ResumeSavedWork();
            first.Host.InvokeEvent("source", new Invocation("in-flight", """{"n": 7}"""u8.ToArray()));
            await StreamServer.WaitUntilAsync(() => first.Events("source").Count, count => count == 1);
        }

        File.Delete(Path.Combine(_data, "work", "source-control", "hold"));
        await using StreamServer second = await StreamServer.StartAsync(_data);
        second.AddRecorder("source");
        second.Host.ResumeSavedWork();
        await WaitForEmptyQueueAsync(second.Host);

        // At least once, as Lambda: the attempt cut by the stop, then the one that completed.
        Assert.Equal([7, 7], second.Events("source").Select(e => e.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Attempts_made_before_the_restart_count_against_MaximumRetryAttempts()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data, eventRetryDelays: [TimeSpan.FromHours(1)]))
        {
            Declare(first, retries: 1, maxAge: null);
            first.Control("source", "fail", "always");
            first.Host.ResumeSavedWork();
            first.Host.InvokeEvent("source", new Invocation("retried", """{"n": 1}"""u8.ToArray()));
            // The first attempt failed and its retry waits an hour: saved with one attempt made.
            await StreamServer.WaitUntilAsync(() => SavedQueue(first.Host), saved => saved.Count == 1 && saved[0].GetProperty("Attempts").GetInt32() == 1);
            Assert.Single(first.Events("source"));
        }

        // An hour and a bit later (within the default six hours' age): the retry is due.
        await using StreamServer second = await StreamServer.StartAsync(_data, clock: new ShiftedClock(TimeSpan.FromMinutes(61)));
        Declare(second, retries: 1, maxAge: null);
        second.Host.ResumeSavedWork();
        await WaitForEmptyQueueAsync(second.Host);

        // One attempt before the restart, one after: then the record of the exhausted retries.
        Assert.Equal(2, second.Events("source").Count);
        JsonElement record = Assert.Single(second.Events("failures"));
        Assert.Equal("retried", record.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("RetriesExhausted", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(2, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("FailedOnPurpose", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task An_event_older_than_MaximumEventAgeInSeconds_at_the_restart_is_not_run_and_goes_to_OnFailure()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            first.AddRecorder("source", reserved: 0);
            first.Host.ResumeSavedWork();
            first.Host.InvokeEvent("source", new Invocation("expired", """{"late": true}"""u8.ToArray()));
            Assert.Equal(1, first.Host.SavedEventInvocations);
        }

        // Two minutes later, past the 60 s maximum age: its age counts from the first host's 202.
        await using StreamServer second = await StreamServer.StartAsync(_data, clock: new ShiftedClock(TimeSpan.FromMinutes(2)));
        Declare(second, retries: null, maxAge: 60);
        second.Host.ResumeSavedWork();
        await WaitForEmptyQueueAsync(second.Host);

        Assert.Empty(second.Events("source"));
        JsonElement record = Assert.Single(second.Events("failures"));
        Assert.Equal("expired", record.GetProperty("requestContext").GetProperty("requestId").GetString());
        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.True(record.GetProperty("requestPayload").GetProperty("late").GetBoolean());
    }

    [Fact]
    public async Task Invocations_saved_before_their_function_is_declared_wait_for_ResumeSavedWork()
    {
        await using (StreamServer first = await StreamServer.StartAsync(_data))
        {
            first.AddRecorder("source", reserved: 0);
            first.Host.ResumeSavedWork();
            first.Host.InvokeEvent("source", new Invocation("waiting", """{"n": 3}"""u8.ToArray()));
        }

        // The restarted host has no "source" until it is declared (as a project file declares it after the host is
        // made): nothing is dropped meanwhile.
        await using StreamServer second = await StreamServer.StartAsync(_data);
        Assert.Equal(1, second.Host.SavedEventInvocations);
        Assert.Equal(0, second.Host.PendingEventInvocations);
        second.AddRecorder("source");
        second.Host.ResumeSavedWork();
        second.Host.ResumeSavedWork();
        await WaitForEmptyQueueAsync(second.Host);

        Assert.Equal([3], second.Events("source").Select(e => e.GetProperty("n").GetInt32()));
    }

    [Fact]
    public void A_queued_invocation_document_keeps_everything_a_new_attempt_needs()
    {
        Invocation invocation = new("request-1", Encoding.UTF8.GetBytes("""{"a":1}"""))
        {
            Qualifier = "live",
            ClientContext = """{"custom":{"k":"v"}}""",
            CognitoIdentity = "identity",
            TraceId = "Root=1-abc",
            DestinationHops = 2,
        };
        QueuedEvent queued = new("key-1", "source", invocation, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123))
        {
            Attempts = 1,
            RetryAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_123),
            Last = InvocationResult.Error("FailedOnPurpose", "failed", reset: false),
        };
        queued.Last.ExecutedVersion = "3";

        QueuedEvent read = QueuedEvent.FromJson("key-1", queued.ToJson());
        Invocation attempt = read.NextAttempt();

        Assert.Equal(("source", "request-1", """{"a":1}"""), (read.FunctionName, attempt.RequestId, Encoding.UTF8.GetString(attempt.Payload.Span)));
        Assert.Equal(("live", """{"custom":{"k":"v"}}""", "identity", "Root=1-abc", 2), (attempt.Qualifier, attempt.ClientContext, attempt.CognitoIdentity, attempt.TraceId, attempt.DestinationHops));
        Assert.Equal((queued.Accepted, 1, queued.RetryAt), (read.Accepted, read.Attempts, read.RetryAt));
        Assert.Equal(("Unhandled", "FailedOnPurpose", "3"), (read.Last!.FunctionError, read.Last.ErrorType, read.Last.ExecutedVersion));
        Assert.Equal(queued.Last.Payload.ToArray(), read.Last.Payload.ToArray());
    }

    [Theory]
    [InlineData(FunctionHost.QueuedEventKind)]
    [InlineData(EventSourceMappingDocument.Kind)]
    public void A_damaged_queue_or_mapping_document_stops_the_host_with_the_file_and_the_document_named(string kind)
    {
        string directory = Path.Combine(_data, "lambda");
        using (Persistence.LambdaStateDatabase state = new(directory))
        {
            state.Put(kind, "broken", "{\"FunctionName\":");
        }

        Persistence.LambdaStateException refused = Assert.Throws<Persistence.LambdaStateException>(() => new FunctionHost(new FunctionHostOptions { DataDirectory = directory }));
        Assert.Contains(Path.Combine(directory, Persistence.LambdaStateDatabase.FileName), refused.Message);
        Assert.Contains($"'{kind}/broken'", refused.Message);
    }

    /// <summary>The source and its OnFailure destination, both recorders, with the source's Event settings.</summary>
    private static void Declare(StreamServer server, int? retries, int? maxAge)
    {
        server.AddRecorder("source");
        server.AddRecorder("failures");
        server.Host.PutEventInvokeConfig("source", null,
            _ => new EventInvokeConfig("", retries, maxAge, null, server.Host.Arn("failures"), default), update: false);
    }

    private static List<JsonElement> SavedQueue(FunctionHost host) =>
        host.StateDatabase.Load(FunctionHost.QueuedEventKind).ConvertAll(d => JsonDocument.Parse(d.Body).RootElement.Clone());

    /// <summary>Every accepted invocation (destination records included) has finished: none in memory, none saved.</summary>
    private static Task WaitForEmptyQueueAsync(FunctionHost host) =>
        StreamServer.WaitUntilAsync(() => (host.PendingEventInvocations, host.SavedEventInvocations), q => q == (0, 0));

    private static async Task<JsonElement> InvokeEventWithCliAsync(StreamServer server, string function, string payload)
    {
        string answer = Path.Combine(Path.GetTempPath(), "handshake-event-answer-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", server.Endpoint.ToString(),
                "--function-name", function, "--invocation-type", "Event",
                "--payload", payload, answer], Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr);
            return JsonDocument.Parse(run.Stdout).RootElement.Clone();
        }
        finally
        {
            File.Delete(answer);
        }
    }

    /// <summary>The system's clock, moved on: a restart that happens this much later.</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
