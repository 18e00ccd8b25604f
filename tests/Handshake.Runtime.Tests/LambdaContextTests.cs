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

    private static Exception Thrown(Func<Exception> make)
    {
        try
        {
            throw make();
        }
        catch (Exception e)
        {
            return e;
        }
    }

    [Fact]
    public void Error_shape_is_AWS_dotnet_runtimes_with_the_inner_exception_as_cause()
    {
        var thrown = Thrown(() => new InvalidOperationException("bad \"quoted\" value", Thrown(() => new FormatException("inner"))));

        using var json = JsonDocument.Parse(LambdaError.FromException(thrown).ToUtf8Json());
        var root = json.RootElement;

        Assert.Equal(["errorType", "errorMessage", "stackTrace", "cause"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("InvalidOperationException", root.GetProperty("errorType").GetString());
        Assert.Equal("bad \"quoted\" value", root.GetProperty("errorMessage").GetString());
        Assert.StartsWith("at ", root.GetProperty("stackTrace")[0].GetString());
        var cause = root.GetProperty("cause");
        Assert.Equal("FormatException", cause.GetProperty("errorType").GetString());
        Assert.Equal("inner", cause.GetProperty("errorMessage").GetString());
        Assert.True(cause.GetProperty("stackTrace").GetArrayLength() > 0);
    }

    [Fact]
    public void An_aggregate_is_reported_as_itself_with_its_inner_exceptions_as_causes()
    {
        // Never thrown: no stack trace, so no "stackTrace" key (AWS's writer leaves it out too).
        var aggregate = new AggregateException("several", new ArgumentException("first"), new TimeoutException("second"));

        using var json = JsonDocument.Parse(LambdaError.FromException(aggregate).ToUtf8Json());
        var root = json.RootElement;

        Assert.Equal(["errorType", "errorMessage", "cause", "causes"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("AggregateException", root.GetProperty("errorType").GetString());
        Assert.Equal("ArgumentException", root.GetProperty("cause").GetProperty("errorType").GetString());
        Assert.Equal(
            ["ArgumentException", "TimeoutException"],
            root.GetProperty("causes").EnumerateArray().Select(c => c.GetProperty("errorType").GetString()!).ToArray());
        Assert.Equal("second", root.GetProperty("causes")[1].GetProperty("errorMessage").GetString());
    }

    [Fact]
    public void An_error_document_over_256_KB_is_replaced_by_AWS_truncation_message()
    {
        var huge = new InvalidOperationException(new string('x', LambdaError.MaxBytes));

        using var json = JsonDocument.Parse(LambdaError.FromException(huge).ToUtf8Json());

        Assert.Equal(["errorMessage"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("Exception exceeded maximum payload size of 256KB.", json.RootElement.GetProperty("errorMessage").GetString());

        var underCap = new InvalidOperationException(new string('x', LambdaError.MaxBytes - 1000));
        using var kept = JsonDocument.Parse(LambdaError.FromException(underCap).ToUtf8Json());
        Assert.Equal(underCap.Message, kept.RootElement.GetProperty("errorMessage").GetString());
    }
}
