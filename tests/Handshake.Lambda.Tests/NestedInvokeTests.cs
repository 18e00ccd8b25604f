using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A function that invokes another synchronously, through the Invoke API and signed with its environment's own
/// credentials, is throttled at once (429, Lambda's Reason) when no environment can be had, instead of queuing while
/// it holds its own slot: callers holding every slot would otherwise wait for each other until they time out. An
/// outside caller's invocation still queues. On both paths an Invoke call takes: the store's event loop
/// (<see cref="InvokeApi.InvokeRoute"/>, as on <c>handshake up</c>'s port) and Kestrel's.
/// </summary>
public sealed class NestedInvokeTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_function_invoking_another_beyond_the_limits_is_throttled_at_once_while_an_outside_caller_queues(bool kestrelOnly, bool reservedLimit)
    {
        // Either the account (2 slots: the held target and the caller) or the target's reserved concurrency (1) is full.
        FunctionHostOptions options = reservedLimit ? new() : new() { AccountConcurrencyLimit = 2 };
        await using LambdaServer server = await LambdaServer.StartAsync(options, kestrelOnly);
        TestHost test = server.Test;
        test.AddBash("target", timeout: 60, reserved: reservedLimit ? 1 : null);
        // Without a store endpoint the function's own AWS_ENDPOINT_URL is passed through: this server.
        test.AddBash("caller", timeout: 20, environment: new() { ["AWS_ENDPOINT_URL"] = server.Endpoint.GetLeftPart(UriPartial.Authority) });
        string release = Path.Combine(Path.GetTempPath(), "handshake-release-" + Guid.NewGuid().ToString("N"));
        try
        {
            Task<InvocationResult> held = test.Host.InvokeAsync("target", new Invocation("held", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { hold = release }))));
            await test.WaitForLogAsync("target", m => m == "handling held");

            // The caller's inner Invoke finds the target's limit (or the account) full. Before the fix it queued behind
            // "held" while the caller held its own slot, until the caller timed out.
            Task<InvocationResult> caller = test.Host.InvokeAsync("caller", new Invocation("caller",
                Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { invokeFunction = "target", thenHold = release }))));
            await test.WaitForLogAsync("caller", m => m.StartsWith("inner call answered", StringComparison.Ordinal));
            Assert.Equal(0, test.Host.QueuedInvocations("target"));

            // While "held" and the caller keep their slots, an outside caller, signed with an ASIA key that is no
            // environment's, still queues, and runs once the target is free.
            using HttpClient http = server.Client();
            using HttpRequestMessage request = new(HttpMethod.Post, "/2015-03-31/functions/target/invocations") { Content = new StringContent("""{"outside":1}""") };
            request.Headers.TryAddWithoutValidation("Authorization",
                "AWS4-HMAC-SHA256 Credential=ASIA0123456789ABCDEF/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
            Task<HttpResponseMessage> outside = http.SendAsync(request);
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("target") == 1, "QueuedInvocations('target') == 1");
            Assert.False(outside.IsCompleted || held.IsCompleted);

            await File.WriteAllTextAsync(release, "");
            Assert.Null((await held.WaitAsync(TestHost.Wait)).FunctionError);
            using HttpResponseMessage answer = await outside.WaitAsync(TestHost.Wait);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("""{"outside":1}""", await answer.Content.ReadAsStringAsync());

            InvocationResult outer = await caller.WaitAsync(TestHost.Wait);
            Assert.Null(outer.FunctionError);
            JsonElement inner = TestHost.Json(outer);
            Assert.Equal(429, inner.GetProperty("status").GetInt32());
            Assert.Equal("TooManyRequestsException", inner.GetProperty("errorType").GetString());
            JsonElement error = JsonDocument.Parse(inner.GetProperty("body").GetString()!).RootElement;
            Assert.Equal(reservedLimit ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded", error.GetProperty("Reason").GetString());
            Assert.Equal("Rate Exceeded.", error.GetProperty("message").GetString());

            // The target ran "held" and the outside call, never the throttled one.
            Assert.Equal(2, (await test.LogMessagesAsync("target")).Count(m => m.StartsWith("START RequestId:", StringComparison.Ordinal)));
            if (!kestrelOnly)
            {
                // Both HTTP calls (the function's and the outside one) were taken by the event loop.
                Assert.Equal(2, server.Route!.Taken);
            }
        }
        finally
        {
            File.Delete(release);
        }
    }

    [Fact]
    public async Task The_in_process_API_throttles_an_invocation_signed_with_an_environments_key_and_queues_others()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { AccountConcurrencyLimit = 1 });
        test.AddBash("target", timeout: 60);
        string release = Path.Combine(Path.GetTempPath(), "handshake-release-" + Guid.NewGuid().ToString("N"));
        try
        {
            Task<InvocationResult> held = test.Host.InvokeAsync("target", new Invocation("held", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { hold = release }))));
            await test.WaitForLogAsync("target", m => m == "handling held");
            string key = Assert.Single(test.Host.Environments("target")).AccessKeyId;

            LambdaException e = await Assert.ThrowsAsync<LambdaException>(() => test.Host.InvokeAsync("target",
                new Invocation("nested", "{}"u8.ToArray()) { Authorization = $"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00" }).WaitAsync(TestHost.Wait));
            Assert.Equal(429, e.StatusCode);
            Assert.Equal("ConcurrentInvocationLimitExceeded", e.Reason);

            Task<InvocationResult> queued = test.Host.InvokeAsync("target", new Invocation("queued", "{}"u8.ToArray()) { Authorization = "AWS4-HMAC-SHA256 Credential=handshake/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00" });
            await Eventually.WaitUntilAsync(() => test.Host.QueuedInvocations("target") == 1, "QueuedInvocations('target') == 1");
            await File.WriteAllTextAsync(release, "");
            Assert.Null((await held.WaitAsync(TestHost.Wait)).FunctionError);
            Assert.Null((await queued.WaitAsync(TestHost.Wait)).FunctionError);
        }
        finally
        {
            File.Delete(release);
        }
    }
}
