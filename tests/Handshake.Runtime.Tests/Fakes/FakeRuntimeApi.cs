using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Handshake.Runtime.Tests.Fakes;

/// <summary>
/// A test double of the Lambda Runtime API contract on Kestrel 127.0.0.1:0: it hands queued events to <c>/next</c>,
/// records what the runtime posts back, and counts the TCP connections the runtime opened.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<FakeInvocation> _queue = Channel.CreateUnbounded<FakeInvocation>();
    private readonly ConcurrentDictionary<string, FakeInvocation> _pending = new();
    private readonly TaskCompletionSource<RuntimeOutcome> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;
    private int _nextCalls;

    private FakeRuntimeApi(WebApplication app)
    {
        _app = app;
    }

    public string Address { get; private set; } = string.Empty;

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>GET /next calls received so far.</summary>
    public int NextCalls => Volatile.Read(ref _nextCalls);

    /// <summary>Completes when the runtime posts to /init/error.</summary>
    public Task<RuntimeOutcome> InitError => _initError.Task;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        FakeRuntimeApi? api = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref api!._connections);
                return next(connection);
            })));
        var app = builder.Build();
        api = new FakeRuntimeApi(app);
        app.MapGet("/2018-06-01/runtime/invocation/next", api.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", (HttpContext c, string id) => api.CompleteAsync(c, id, isError: false));
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", (HttpContext c, string id) => api.CompleteAsync(c, id, isError: true));
        app.MapPost("/2018-06-01/runtime/init/error", api.InitErrorAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Urls.First();
        api.Address = new Uri(address).Authority;
        return api;
    }

    /// <summary>
    /// Queues one event and returns what the runtime posts for it. <paramref name="rejectWith"/> makes the fake answer
    /// that post with a 4xx, as a host does for a stale request id (400) or an oversized response (413).
    /// </summary>
    public Task<RuntimeOutcome> InvokeAsync(
        string payload, long? deadlineMs = null, string? traceId = null, string? clientContext = null, int? rejectWith = null)
    {
        var invocation = new FakeInvocation(
            Guid.NewGuid().ToString(),
            payload,
            deadlineMs ?? DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(),
            traceId,
            clientContext,
            rejectWith);
        _pending[invocation.RequestId] = invocation;
        _queue.Writer.TryWrite(invocation);
        return invocation.Outcome.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextCalls);
        FakeInvocation invocation;
        try
        {
            invocation = await _queue.Reader.ReadAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            context.Response.StatusCode = 500;
            return;
        }

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.DeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:000000000000:function:test-function";
        if (invocation.TraceId is not null)
        {
            headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        }

        if (invocation.ClientContext is not null)
        {
            headers["Lambda-Runtime-Client-Context"] = invocation.ClientContext;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(invocation.Payload);
    }

    private async Task CompleteAsync(HttpContext context, string id, bool isError)
    {
        var outcome = await ReadOutcomeAsync(context, isError);
        if (!_pending.TryRemove(id, out var invocation))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
            return;
        }

        invocation.Outcome.TrySetResult(outcome);
        if (invocation.RejectWith is { } status)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync("{\"errorMessage\":\"rejected by the test\",\"errorType\":\"InvalidRequestID\"}");
            return;
        }

        await AcceptedAsync(context);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        _initError.TrySetResult(await ReadOutcomeAsync(context, isError: true));
        await AcceptedAsync(context);
    }

    private static async Task<RuntimeOutcome> ReadOutcomeAsync(HttpContext context, bool isError)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        return new RuntimeOutcome(isError, body, errorType.Length == 0 ? null : errorType, context.Request.ContentType);
    }

    private static Task AcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = 202;
        return context.Response.WriteAsync("{\"status\":\"OK\"}");
    }

    private sealed record FakeInvocation(string RequestId, string Payload, long DeadlineMs, string? TraceId, string? ClientContext, int? RejectWith)
    {
        public TaskCompletionSource<RuntimeOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What the runtime posted: a response, or an error with its Lambda-Runtime-Function-Error-Type header.</summary>
public sealed record RuntimeOutcome(bool IsError, string Body, string? ErrorTypeHeader, string? ContentType);
