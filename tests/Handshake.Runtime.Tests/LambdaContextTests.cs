using System.Text.Json;
using Handshake.Runtime.Client;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Tests;

/// <summary>In-process checks of the context's arithmetic and the error shape, with a fixed clock.</summary>
public sealed class LambdaContextTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static InvocationRequest Invocation(long deadlineMs) => new()
    {
        AwsRequestId = "req-1",
        DeadlineMs = deadlineMs,
        InvokedFunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:f",
        Payload = [],
    };

    [Theory]
    [InlineData(1_000_000_3000L, 3000)]
    [InlineData(1_000_000_0001L, 1)]
    [InlineData(1_000_000_0000L, 0)]
    [InlineData(9_999_999_999L, 0)]
    public void RemainingTime_is_the_deadline_minus_now_and_never_negative(long deadlineMs, long expectedMs)
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000_0000L));
        var context = new LambdaContext(Invocation(deadlineMs), new LambdaEnvironment { FunctionName = "f" }, clock);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), context.RemainingTime);
        Assert.Equal("f", context.FunctionName);
        Assert.Equal("req-1", context.AwsRequestId);
    }

    [Fact]
    public void Error_shape_has_exactly_Lambdas_three_fields()
    {
        Exception thrown;
        try
        {
            throw new AggregateException(new ArgumentException("bad \"quoted\" value"));
        }
        catch (Exception e)
        {
            thrown = e;
        }

        using var json = JsonDocument.Parse(LambdaError.FromException(thrown).ToUtf8Json());
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(["errorMessage", "errorType", "stackTrace"], names);
        Assert.Equal("ArgumentException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("bad \"quoted\" value", json.RootElement.GetProperty("errorMessage").GetString());
    }
}
