using System.Text;
using System.Text.Json;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>Functions that misbehave get Lambda's behaviour, and the host goes on serving the others.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task A_function_that_prints_megabytes_is_answered_and_its_log_stays_bounded()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { LogEventsPerFunction = 1000 });
        test.AddBash("loud");
        test.AddBash("quiet");

        InvocationResult result = await test.InvokeAsync("loud", """{"megabytes":true}""", tail: true);

        Assert.Null(result.FunctionError);
        byte[] tail = Convert.FromBase64String(result.LogResult!);
        Assert.True(tail.Length <= 4096);
        string text = Encoding.UTF8.GetString(tail);
        Assert.Contains("printed 3 MB", text);
        Assert.Contains("REPORT RequestId", text);
        List<string> log = await test.LogMessagesAsync("loud");
        Assert.Equal(1000, log.Count);
        Assert.Contains(log, m => m.EndsWith("printed 3 MB", StringComparison.Ordinal));
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("quiet", "{}")));
    }

    [Fact]
    public async Task A_second_answer_for_the_same_request_gets_400()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("twice");

        InvocationResult result = await test.InvokeAsync("twice", """{"twice":true}""");
        await test.WaitForLogAsync("twice", m => m.StartsWith("second answer", StringComparison.Ordinal));

        Assert.Equal("""{"answer":1}""", TestHost.Text(result));
        string line = (await test.LogMessagesAsync("twice")).Single(m => m.StartsWith("second answer", StringComparison.Ordinal));
        Assert.Equal("""second answer status=400 {"errorType":"InvalidRequestID","errorMessage":"Invalid request ID"}""", line);
        Assert.Null((await test.InvokeAsync("twice", "{}")).FunctionError);
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task An_answer_for_a_wrong_request_id_gets_400_and_the_invocation_still_waits_for_its_own()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("wrong");

        InvocationResult result = await test.InvokeAsync("wrong", """{"wrong-id":true}""");

        Assert.Equal("""{"wrong-id":true}""", TestHost.Text(result));
        Assert.Contains((await test.LogMessagesAsync("wrong")), m => m == """wrong id status=400 {"errorType":"InvalidRequestID","errorMessage":"Invalid request ID"}""");
        await test.AssertServesAnotherFunctionAsync();
    }

    // The /error body is held to the /response limit (the runtime gets 413; not asserted from its log, since the reset
    // may stop it before it prints): the caller gets the size error rather than 7 MB of error payload, and the
    // environment is reset as for a response too large.
    [Theory]
    [InlineData("big", """{"big":true}""")]
    [InlineData("bigerror", """{"bigError":true}""")]
    public async Task A_response_or_error_report_above_6_MB_is_refused_with_413_and_the_invocation_fails_with_the_size_error(string function, string payload)
    {
        await using TestHost test = TestHost.Start();
        test.AddBash(function);
        int pid = TestHost.Json(await test.InvokeAsync(function, """{"pid":1}""")).GetProperty("pid").GetInt32();

        InvocationResult result = await test.InvokeAsync(function, payload);

        Assert.Equal("Unhandled", result.FunctionError);
        JsonElement error = TestHost.Json(result);
        Assert.Equal("Function.ResponseSizeTooLarge", error.GetProperty("errorType").GetString());
        Assert.Equal("Response payload size exceeded maximum allowed payload size (6291556 bytes).", error.GetProperty("errorMessage").GetString());
        // The environment is reset: the next invocation runs in a new one.
        Assert.NotEqual(pid, TestHost.Json(await test.InvokeAsync(function, """{"pid":1}""")).GetProperty("pid").GetInt32());
        await test.AssertServesAnotherFunctionAsync();
    }

    [Fact]
    public async Task Out_of_order_Runtime_API_calls_get_403_and_unknown_paths_404()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("order");
        await test.InvokeAsync("order", "{}");
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("order"));
        // Frozen means parked in next.
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);
        using HttpClient http = new() { BaseAddress = new Uri("http://" + environment.RuntimeApiAddress), Timeout = TestHost.Wait };

        // The runtime is parked in next: a second next is out of order.
        HttpResponseMessage second = await http.GetAsync("/2018-06-01/runtime/invocation/next");
        HttpResponseMessage initError = await http.PostAsync("/2018-06-01/runtime/init/error", new StringContent("{}"));
        HttpResponseMessage unknown = await http.GetAsync("/2018-06-01/runtime/whatever");
        HttpResponseMessage noSuchRequest = await http.PostAsync("/2018-06-01/runtime/invocation/nope/response", new StringContent("{}"));

        Assert.Equal(403, (int)second.StatusCode);
        Assert.Equal("InvalidStateTransition", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("errorType").GetString());
        Assert.Equal(403, (int)initError.StatusCode);
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal(400, (int)noSuchRequest.StatusCode);
        Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("order", "{}")));
    }

    [Fact]
    public async Task A_hanging_function_does_not_hold_up_another()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("hang", timeout: 60);
        test.AddBash("other");

        Task<InvocationResult> hanging = test.Host.InvokeAsync("hang", new Invocation("hang-1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("hang", m => m == "handling hang-1");
        for (int i = 0; i < 3; i++)
        {
            Assert.Null((await test.InvokeAsync("other", "{}")).FunctionError);
        }

        Assert.False(hanging.IsCompleted);
    }

    [Fact]
    public async Task A_runtime_that_answers_and_never_calls_next_again_times_out_the_next_invocation()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("stuck", timeout: 3);
        int pid = TestHost.Json(await test.InvokeAsync("stuck", """{"pid":1}""")).GetProperty("pid").GetInt32();

        // Answered, then the runtime leaves its loop without calling next: the environment can never take another event.
        Assert.Equal("""{"no-next":true}""", TestHost.Text(await test.InvokeAsync("stuck", """{"no-next":true}""")));
        await test.WaitForLogAsync("stuck", m => m == "leaving the loop");
        JsonElement error = TestHost.Json(await test.InvokeAsync("stuck", "{}"));

        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
        Assert.NotEqual(pid, TestHost.Json(await test.InvokeAsync("stuck", """{"pid":1}""")).GetProperty("pid").GetInt32());
        await test.AssertServesAnotherFunctionAsync();
    }
}
