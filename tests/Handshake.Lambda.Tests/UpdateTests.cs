using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Changes to a function while it runs: new configuration, deletion, and what the runtime sees of the caller.</summary>
public sealed class UpdateTests
{
    [Fact]
    public async Task A_busy_environment_finishes_its_invocation_then_is_replaced_by_one_with_the_new_configuration()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("changing", environment: new() { ["COLOR"] = "red" });
        int pid = TestHost.Json(await test.InvokeAsync("changing", """{"pid":1}""")).GetProperty("pid").GetInt32();
        // Held until after the update (a 1 s nap could end before it on a loaded machine: the update would then find the
        // environment idle).
        Task<InvocationResult> busy = test.Host.InvokeAsync("changing", new Invocation("busy-1", Encoding.UTF8.GetBytes(test.HoldEvent(out string release))));
        await test.WaitForLogAsync("changing", m => m == "handling busy-1");

        test.Host.UpdateFunction("changing", f => f with { Environment = new Dictionary<string, string>(f.Environment) { ["COLOR"] = "blue" } });
        Assert.False(busy.IsCompleted);
        TestHost.Release(release);

        Assert.Null((await busy.WaitAsync(TestHost.Wait)).FunctionError);
        JsonElement env = TestHost.Json(await test.InvokeAsync("changing", """{"environment":1}"""));
        Assert.Equal("blue", env.GetProperty("COLOR").GetString());
        Assert.Equal('?', await ProcessTable.WaitForStateAsync(pid, '?'));
        Assert.Equal(1, test.Host.EnvironmentCount("changing"));
    }

    [Fact]
    public async Task Deleting_a_function_stops_its_environments_and_later_invocations_are_not_found()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("doomed", timeout: 60);
        test.AddBash("survivor");
        Task<InvocationResult> busy = test.Host.InvokeAsync("doomed", new Invocation("d-1", """{"sleep":true}"""u8.ToArray()));
        await test.WaitForLogAsync("doomed", m => m == "handling d-1");

        test.Host.DeleteFunction("doomed");

        InvocationResult cut = await busy.WaitAsync(TestHost.Wait);
        Assert.Equal("Runtime.ExitError", cut.ErrorType);
        LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => test.InvokeAsync("doomed", "{}"));
        Assert.Equal("ResourceNotFoundException", e.ErrorType);
        Assert.Null((await test.InvokeAsync("survivor", "{}")).FunctionError);
    }

    [Fact]
    public async Task Client_context_and_a_qualified_ARN_reach_the_runtime_over_HTTP()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("ctx");
        using HttpClient http = server.Client();
        using HttpRequestMessage request = new(HttpMethod.Post, "/2015-03-31/functions/" + Uri.EscapeDataString("arn:aws:lambda:us-east-1:000000000000:function:ctx:$LATEST") + "/invocations")
        {
            Content = new StringContent("""{"headers":1}"""),
        };
        request.Headers.Add("X-Amz-Client-Context", Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"custom":{"k":"v"}}""")));

        HttpResponseMessage response = await http.SendAsync(request);
        string headers = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("headers").GetString()!;

        Assert.Contains("""Lambda-Runtime-Client-Context: {"custom":{"k":"v"}}""", headers);
        Assert.Contains("Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:ctx:$LATEST", headers);
        Assert.Matches(@"Lambda-Runtime-Trace-Id: Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", headers);
    }
}
