using System.Text.Json.Serialization;
using Handshake.Runtime.Bootstrap;
using Handshake.Runtime.Context;
using Handshake.Runtime.Tests.TestFunction;

// _HANDLER selects what this function does, so one executable covers every runtime-client test.
return await LambdaRuntime.RunAsync(static ct =>
{
    var handler = Environment.GetEnvironmentVariable("_HANDLER");
    LambdaHandler selected = handler switch
    {
        "typed" => LambdaHandlers.Json(Typed, TestJson.Default.Order, TestJson.Default.Receipt),
        "context" => LambdaHandlers.Json(Context, TestJson.Default.Order, TestJson.Default.ContextReport),
        "throw" => LambdaHandlers.Json(Throw, TestJson.Default.Order, TestJson.Default.Receipt),
        "stream" => LambdaHandlers.Stream(Upper),
        "init-error" => throw new InvalidOperationException("init failed on purpose"),
        _ => throw new ArgumentException($"unknown test handler '{handler}'"),
    };
    return Task.FromResult(selected);
});

static Task<Receipt> Typed(Order order, ILambdaContext context) =>
    Task.FromResult(new Receipt(order.Item, order.Quantity * order.UnitPrice, context.AwsRequestId));

static Task<ContextReport> Context(Order order, ILambdaContext context)
{
    context.Logger.LogLine("context handler ran");
    Console.WriteLine("plain console line");
    Console.Error.WriteLine("plain error line");
    return Task.FromResult(new ContextReport(
        context.AwsRequestId,
        context.FunctionName,
        context.FunctionVersion,
        context.InvokedFunctionArn,
        context.MemoryLimitInMB,
        (long)context.RemainingTime.TotalMilliseconds,
        context.LogGroupName,
        context.LogStreamName,
        context.TraceId,
        Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
        context.ClientContext));
}

static Task<Receipt> Throw(Order order, ILambdaContext context) =>
    order.Quantity < 0
        ? throw new InvalidOperationException($"negative quantity {order.Quantity}")
        : Typed(order, context);

static async Task<Stream> Upper(Stream payload, ILambdaContext context)
{
    using var reader = new StreamReader(payload);
    var text = await reader.ReadToEndAsync().ConfigureAwait(false);
    return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToUpperInvariant()));
}

namespace Handshake.Runtime.Tests.TestFunction
{
    public sealed record Order(string Item, int Quantity, decimal UnitPrice);

    public sealed record Receipt(string Item, decimal Total, string RequestId);

    public sealed record ContextReport(
        string AwsRequestId,
        string FunctionName,
        string FunctionVersion,
        string InvokedFunctionArn,
        int MemoryLimitInMB,
        long RemainingTimeMs,
        string LogGroupName,
        string LogStreamName,
        string? TraceId,
        string? TraceIdVariable,
        string? ClientContext);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(Order))]
    [JsonSerializable(typeof(Receipt))]
    [JsonSerializable(typeof(ContextReport))]
    internal sealed partial class TestJson : JsonSerializerContext;
}
