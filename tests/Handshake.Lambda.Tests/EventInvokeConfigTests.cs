using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Asynchronous invocation settings on real child processes: MaximumRetryAttempts, MaximumEventAgeInSeconds, and the
/// invocation records sent to OnSuccess and OnFailure function destinations.
/// </summary>
public sealed class EventInvokeConfigTests
{
    private static readonly FunctionHostOptions FastRetries = new() { EventRetryDelays = [TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20)] };

    private static FunctionDefinition AddSink(TestHost test, string name) =>
        test.AddBash(name, environment: new() { ["RECORD_EVENTS"] = "1" });

    private static async Task<JsonElement> RecordAsync(TestHost test, string sink)
    {
        await test.WaitForLogAsync(sink, m => m.StartsWith("event ", StringComparison.Ordinal));
        string line = (await test.LogMessagesAsync(sink)).First(m => m.StartsWith("event ", StringComparison.Ordinal));
        return JsonDocument.Parse(line["event ".Length..]).RootElement.Clone();
    }

    private static int Starts(List<string> messages, string requestId) =>
        messages.Count(m => m.StartsWith($"START RequestId: {requestId} ", StringComparison.Ordinal));

    [Fact]
    public async Task No_retries_then_the_failure_record_goes_to_the_OnFailure_function()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        AddSink(test, "failures");
        test.Host.PutEventInvokeConfig("source", null,
            _ => new EventInvokeConfig("", 0, null, null, test.Host.Arn("failures"), default), update: false);

        test.Host.InvokeEvent("source", new Invocation("event-1", Encoding.UTF8.GetBytes("""{"fail":true,"n":1}""")));
        JsonElement record = await RecordAsync(test, "failures");

        Assert.Equal("1.0", record.GetProperty("version").GetString());
        JsonElement context = record.GetProperty("requestContext");
        Assert.Equal("event-1", context.GetProperty("requestId").GetString());
        Assert.Equal(test.Host.Arn("source") + ":$LATEST", context.GetProperty("functionArn").GetString());
        Assert.Equal("RetriesExhausted", context.GetProperty("condition").GetString());
        Assert.Equal(1, context.GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(1, record.GetProperty("requestPayload").GetProperty("n").GetInt32());
        Assert.Equal(200, record.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", record.GetProperty("responseContext").GetProperty("executedVersion").GetString());
        Assert.Equal("Unhandled", record.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal("FailedOnPurpose", record.GetProperty("responsePayload").GetProperty("errorType").GetString());
        Assert.Equal(1, Starts(await test.LogMessagesAsync("source"), "event-1"));
    }

    [Fact]
    public async Task One_retry_makes_two_attempts()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        AddSink(test, "failures");
        test.Host.PutEventInvokeConfig("source", null,
            _ => new EventInvokeConfig("", 1, null, null, test.Host.Arn("failures"), default), update: false);

        test.Host.InvokeEvent("source", new Invocation("event-2", Encoding.UTF8.GetBytes("""{"fail":true}""")));
        JsonElement record = await RecordAsync(test, "failures");

        Assert.Equal(2, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal(2, Starts(await test.LogMessagesAsync("source"), "event-2"));
    }

    [Fact]
    public async Task A_success_goes_to_the_OnSuccess_function_with_the_answer()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        AddSink(test, "successes");
        AddSink(test, "failures");
        test.Host.PutEventInvokeConfig("source", null,
            _ => new EventInvokeConfig("", null, null, test.Host.Arn("successes"), test.Host.Arn("failures"), default), update: false);

        test.Host.InvokeEvent("source", new Invocation("event-3", Encoding.UTF8.GetBytes("""{"ok":3}""")));
        JsonElement record = await RecordAsync(test, "successes");

        Assert.Equal("Success", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(1, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(record.GetProperty("responseContext").TryGetProperty("functionError", out _));
        // The bash function answers its event: the record carries the answer as JSON.
        Assert.Equal(3, record.GetProperty("responsePayload").GetProperty("ok").GetInt32());
        Assert.DoesNotContain(await test.LogMessagesAsync("failures"), m => m.StartsWith("START ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_alias_invocation_follows_the_alias_settings_and_names_it()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        AddSink(test, "failures");
        test.Host.PublishVersion("source");
        test.Host.CreateAlias("source", new FunctionAlias { Name = "live", FunctionVersion = "1" });
        // $LATEST keeps the default (two retries); the alias retries none and has a destination.
        test.Host.PutEventInvokeConfig("source", "live",
            _ => new EventInvokeConfig("", 0, null, null, test.Host.Arn("failures"), default), update: false);

        test.Host.InvokeEvent("source", new Invocation("event-4", Encoding.UTF8.GetBytes("""{"fail":true}""")) { Qualifier = "live" });
        JsonElement record = await RecordAsync(test, "failures");

        Assert.Equal(test.Host.Arn("source") + ":live", record.GetProperty("requestContext").GetProperty("functionArn").GetString());
        Assert.Equal("1", record.GetProperty("responseContext").GetProperty("executedVersion").GetString());
        Assert.Equal(1, Starts(await test.LogMessagesAsync("source"), "event-4"));
    }

    [Fact]
    public async Task An_event_older_than_its_maximum_age_is_dropped_and_reported()
    {
        JumpClock clock = new();
        await using TestHost test = TestHost.Start(new FunctionHostOptions { Clock = clock, EventRetryDelays = FastRetries.EventRetryDelays });
        // Reserved concurrency 0: every attempt is throttled, and the event waits in the queue (1 s backoff).
        test.AddBash("source", reserved: 0);
        AddSink(test, "failures");
        test.Host.PutEventInvokeConfig("source", null,
            _ => new EventInvokeConfig("", null, 60, null, test.Host.Arn("failures"), default), update: false);

        test.Host.InvokeEvent("source", new Invocation("event-5", Encoding.UTF8.GetBytes("""{"late":true}""")));
        clock.Offset = TimeSpan.FromMinutes(2);
        JsonElement record = await RecordAsync(test, "failures");

        Assert.Equal("EventAgeExceeded", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.True(record.GetProperty("requestPayload").GetProperty("late").GetBoolean());
        Assert.False(record.TryGetProperty("responseContext", out _));
        Assert.Equal(0, Starts(await test.LogMessagesAsync("source"), "event-5"));
    }

    [Fact]
    public async Task Settings_go_with_their_alias_and_their_function()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        test.Host.PublishVersion("source");
        test.Host.CreateAlias("source", new FunctionAlias { Name = "live", FunctionVersion = "1" });
        test.Host.PutEventInvokeConfig("source", "live", _ => new EventInvokeConfig("", 1, null, null, null, default), update: false);
        test.Host.PutEventInvokeConfig("source", "1", _ => new EventInvokeConfig("", 1, null, null, null, default), update: false);
        test.Host.PutEventInvokeConfig("source", null, _ => new EventInvokeConfig("", 0, null, null, null, default), update: false);
        Assert.Equal(["$LATEST", "1", "live"], test.Host.ListEventInvokeConfigs("source").Select(c => c.Qualifier));

        test.Host.DeleteAlias("source", "live");
        Assert.Equal(["$LATEST", "1"], test.Host.ListEventInvokeConfigs("source").Select(c => c.Qualifier));
        test.Host.DeleteVersion("source", "1");
        Assert.Equal(["$LATEST"], test.Host.ListEventInvokeConfigs("source").Select(c => c.Qualifier));

        test.Host.DeleteFunction("source");
        test.AddBash("source");
        Assert.Empty(test.Host.ListEventInvokeConfigs("source"));
    }

    [Fact]
    public async Task A_put_racing_the_deletion_of_its_alias_leaves_nothing_for_a_new_alias_of_that_name()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        test.Host.PublishVersion("source");
        test.Host.CreateAlias("source", new FunctionAlias { Name = "live", FunctionVersion = "1" });
        using ManualResetEventSlim entered = new(), release = new();

        // The Put holds its check and its write open; the alias is deleted meanwhile.
        Task put = Task.Run(() => test.Host.PutEventInvokeConfig("source", "live", _ =>
        {
            entered.Set();
            release.Wait(TestHost.Wait);
            return new EventInvokeConfig("", 0, null, null, null, default);
        }, update: false));
        Assert.True(entered.Wait(TestHost.Wait));
        Task delete = await StartAndWaitUntilBlockedAsync(() => test.Host.DeleteAlias("source", "live"));
        // The delete waits for the held Put (both take the function's control lock): the race is really run.
        Assert.False(delete.IsCompleted, "the delete did not wait for the Put it raced");
        release.Set();
        await Task.WhenAll(put, delete).WaitAsync(TestHost.Wait);

        test.Host.CreateAlias("source", new FunctionAlias { Name = "live", FunctionVersion = "1" });
        LambdaException missing = Assert.Throws<LambdaException>(() => test.Host.GetEventInvokeConfig("source", "live"));
        Assert.Equal("ResourceNotFoundException", missing.ErrorType);
    }

    [Fact]
    public async Task An_update_racing_a_delete_does_not_bring_the_settings_back()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        test.AddBash("source");
        test.Host.PutEventInvokeConfig("source", null, _ => new EventInvokeConfig("", 0, null, null, null, default), update: false);
        using ManualResetEventSlim entered = new(), release = new();

        Task update = Task.Run(() => test.Host.PutEventInvokeConfig("source", null, current =>
        {
            entered.Set();
            release.Wait(TestHost.Wait);
            return current! with { MaximumRetryAttempts = 1 };
        }, update: true));
        Assert.True(entered.Wait(TestHost.Wait));
        Task delete = await StartAndWaitUntilBlockedAsync(() => test.Host.DeleteEventInvokeConfig("source", null));
        // The delete waits for the held Put (both take the function's control lock): the race is really run.
        Assert.False(delete.IsCompleted, "the delete did not wait for the Put it raced");
        release.Set();
        await Task.WhenAll(update, delete).WaitAsync(TestHost.Wait);

        Assert.Throws<LambdaException>(() => test.Host.GetEventInvokeConfig("source", null));
    }

    [Fact]
    public async Task A_loop_of_destinations_stops_after_sixteen_records()
    {
        await using TestHost test = TestHost.Start(FastRetries);
        // Sinks answer {}, so each record stays small; each sends its success on to the other.
        AddSink(test, "ping");
        AddSink(test, "pong");
        test.Host.PutEventInvokeConfig("ping", null, _ => new EventInvokeConfig("", null, null, test.Host.Arn("pong"), null, default), update: false);
        test.Host.PutEventInvokeConfig("pong", null, _ => new EventInvokeConfig("", null, null, test.Host.Arn("ping"), null, default), update: false);

        test.Host.InvokeEvent("ping", new Invocation("first", Encoding.UTF8.GetBytes("{}")));
        using CancellationTokenSource timeout = new(TestHost.Wait);
        while (test.Host.DestinationLoopsStopped == 0)
        {
            await Task.Delay(20, timeout.Token);
        }

        // The event itself, then 16 records: 9 invocations of ping, 8 of pong.
        int starts = (await test.LogMessagesAsync("ping")).Count(m => m.StartsWith("START ", StringComparison.Ordinal))
            + (await test.LogMessagesAsync("pong")).Count(m => m.StartsWith("START ", StringComparison.Ordinal));
        Assert.Equal(1 + FunctionHost.MaxDestinationHops, starts);
        Assert.Equal(1, test.Host.DestinationLoopsStopped);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a thread of its own and returns once that thread is blocked (waiting for what
    /// the racing operation holds) or has finished: the race is then set up whatever the machine's load, where a fixed
    /// sleep let a preempted thread arrive after the other operation was released (the test then passed without racing).
    /// </summary>
    private static async Task<Task> StartAndWaitUntilBlockedAsync(Action action)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Thread thread = new(() =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true };
        thread.Start();
        using CancellationTokenSource timeout = new(TestHost.Wait);
        while (!done.Task.IsCompleted && (thread.ThreadState & ThreadState.WaitSleepJoin) == 0)
        {
            await Task.Delay(5, timeout.Token);
        }

        return done.Task;
    }
}
